"""Settings for the whole suite."""

from hypothesis import HealthCheck, settings

# A loaded machine (CI runs the suite twice, the compiled modules and their sources) can
# make generating an example slow; that says nothing about the code under test.
settings.register_profile("cassalite", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cassalite")
