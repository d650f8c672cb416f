"""Settings of the attendance plugin (environment variables ``GRIDGOV_ATTENDANCE_*``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.runtime import Runtime


class AttendanceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDGOV_ATTENDANCE_", extra="ignore")

    tolerance_m: float = Field(
        50.0, ge=0, description="Metres beyond the grid's edge a check-in still counts as inside"
    )
    max_batch: int = Field(5000, ge=1, le=20000, description="GPS fixes per upload at most")
    late_days: int = Field(
        31, ge=1, le=366, description="Fixes older than this many days are refused"
    )
    max_gap_s: float = Field(
        600.0,
        gt=0,
        description="Two fixes farther apart in time are not joined: the time between them "
        "counts neither as walked nor as spent in the grid",
    )
    max_accuracy_m: float = Field(
        100.0, gt=0, description="Fixes less accurate than this are stored but not used"
    )
    max_playback_days: int = Field(7, ge=1, le=31, description="Longest playback period")
    demo_fix_interval_s: int = Field(
        60, ge=10, le=3600, description="Seconds between the demo's GPS fixes"
    )


@dataclass
class AttendanceState:
    """The plugin's state in a running app (``runtime.state.of(AttendanceState)``): its
    settings, read once, and the monthly partitions of GPS fixes known to exist."""

    settings: AttendanceSettings = field(default_factory=lambda: AttendanceSettings())
    partitions: set[date] = field(default_factory=set)


def settings_of(runtime: Runtime) -> AttendanceSettings:
    """The app's attendance settings, read once at start-up."""
    return runtime.state.of(AttendanceState).settings
