"""Question types as plug-ins: one module each (base.py says what a type provides), listed in
registry.py. Nothing outside this package switches on a question's type."""
