"""Start Ralph's LRS API over its file-system backend, writing by appending (run with the Python of
Ralph's own virtualenv: `python ralph_fs_lrs.py HOST PORT`; tests/xapi/conftest.py does).

Why this launcher: Ralph's fs backend writes with operation type CREATE by default, which refuses
an existing file, so `ralph runserver --backend fs` (5.1.0; 4.2.0 and 5.0.1 alike) stores the first
POST and answers 500 "Statements bulk indexation failed" to every later one. The backend supports
APPEND; this makes it the default and changes nothing else: statement validation, duplicate and
conflict checks, storage and queries are Ralph's own."""
import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="info")
