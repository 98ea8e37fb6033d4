"""Every feature's models, imported so that the metadata is complete (migrations, drift checks)."""
from app.activities import models as activity_models  # noqa: F401
from app.audit import models as audit_models  # noqa: F401
from app.auth import models as auth_models  # noqa: F401
from app.badges import models as badge_models  # noqa: F401
from app.certificates import models as certificate_models  # noqa: F401
from app.checklist import models as checklist_models  # noqa: F401
from app.cohorts import models as cohort_models  # noqa: F401
from app.jobs import models as job_models  # noqa: F401
from app.learn import models as learn_models  # noqa: F401
from app.live import models as live_models  # noqa: F401
from app.outbox import models as outbox_models  # noqa: F401
from app.quizzes import models as quiz_models  # noqa: F401
from app.schedule import models as schedule_models  # noqa: F401
from app.xapi import models as xapi_models  # noqa: F401
