"""Shared test settings. The tests import the installed package (pip install .), never the source tree."""

import os

from hypothesis import HealthCheck, settings

# No deadline: the first calls into the extension, and a loaded CI machine, are slow for reasons that
# say nothing about the code. "ci" runs more examples; choose it with HYPOTHESIS_PROFILE=ci.
settings.register_profile("default", deadline=None, max_examples=200)
settings.register_profile(
    "ci", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
