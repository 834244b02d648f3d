"""The wizard's steps, one small class per module, in the order the wizard shows them."""

from .auth_type import AuthTypeStep
from .base import Step
from .details import DetailsStep
from .device import DevicePanel
from .diagnose import DiagnoseStep
from .result import ResultStep
from .results_table import ResultsTableStep
from .run import RunStep

__all__ = ["Step", "AuthTypeStep", "DetailsStep", "RunStep", "ResultStep", "ResultsTableStep", "DiagnoseStep", "DevicePanel"]
