"""Probability distributions for delays and work efforts, as scenario-file specs.

Every spec is a frozen pydantic model tagged by ``dist`` and samples a whole
vector at once from a ``numpy.random.Generator``, so the model can draw each
source of randomness for all incidents up front. Values are minutes. A bare
number in a scenario file means a constant, so ``detection: 0`` switches a
delay off.
"""

from __future__ import annotations

import math
import typing
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

if TYPE_CHECKING:  # numpy is imported where a spec samples: reading a scenario needs none of it
    import numpy as np

_Z95 = 1.6448536269514722
"""The standard normal's 95th percentile, as scipy.stats.norm.ppf(0.95) gives it (the
standard library's NormalDist is a last bit off, which would move every lognormal draw)."""


def _not_a_bool(value):
    # pydantic would take true and false as 1 and 0
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    return value


Number = Annotated[float, BeforeValidator(_not_a_bool)]
"""A finite real number in a scenario file (true/false is refused, not read as 1/0)."""
Whole = Annotated[int, BeforeValidator(_not_a_bool)]
"""A whole number in a scenario file (true/false is refused)."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` independent values (minutes, never negative)."""
        raise NotImplementedError

    @property
    def mean(self) -> float:
        """Expected value in minutes."""
        raise NotImplementedError

    @property
    def is_zero(self) -> bool:
        """True when every draw is exactly zero (the delay is switched off)."""
        return False

    def scaled(self, factor: float) -> _Spec:
        """The same shape with every draw multiplied by ``factor`` (> 0)."""
        fields = {name: getattr(self, name) for name in self._SCALE}
        return self.model_copy(update={k: v * factor for k, v in fields.items() if v is not None})

    _SCALE: ClassVar[tuple[str, ...]] = ()


class Constant(_Spec):
    """Always the same value."""

    dist: Literal["constant"] = "constant"
    value: Number = Field(ge=0)
    _SCALE: ClassVar[tuple[str, ...]] = ("value",)

    def sample(self, rng, size):
        import numpy as np

        return np.full(size, self.value)

    @property
    def mean(self):
        return self.value

    @property
    def is_zero(self):
        return self.value == 0


class Exponential(_Spec):
    """Exponential with the given mean (memoryless; used for M/M/c validation)."""

    dist: Literal["exponential"] = "exponential"
    mean_: Number = Field(gt=0, alias="mean")
    _SCALE: ClassVar[tuple[str, ...]] = ("mean_",)

    def sample(self, rng, size):
        return rng.exponential(self.mean_, size)

    @property
    def mean(self):
        return self.mean_


class Lognormal(_Spec):
    """Lognormal given either ``median`` and ``p95`` or ``mu`` and ``sigma`` (of ln minutes)."""

    dist: Literal["lognormal"] = "lognormal"
    median: Number | None = Field(default=None, gt=0)
    p95: Number | None = Field(default=None, gt=0)
    mu: Number | None = None
    sigma: Number | None = Field(default=None, gt=0)
    _SCALE: ClassVar[tuple[str, ...]] = ("median", "p95")

    def scaled(self, factor: float) -> Lognormal:
        if self.mu is not None:  # ln(f·X) = ln f + ln X
            return self.model_copy(update={"mu": self.mu + math.log(factor)})
        return super().scaled(factor)

    @model_validator(mode="after")
    def _one_parameterisation(self):
        by_quantiles = self.median is not None and self.p95 is not None
        by_moments = self.mu is not None and self.sigma is not None
        mixed = {self.median, self.p95} != {None} and {self.mu, self.sigma} != {None}
        if by_quantiles == by_moments or mixed:
            raise ValueError("give either median and p95, or mu and sigma (not a mix)")
        if by_quantiles and self.p95 <= self.median:
            raise ValueError("p95 must be greater than median")
        return self

    @property
    def log_params(self) -> tuple[float, float]:
        """(mu, sigma) of the underlying normal."""
        if self.mu is not None:
            return self.mu, self.sigma
        return math.log(self.median), math.log(self.p95 / self.median) / _Z95

    def sample(self, rng, size):
        mu, sigma = self.log_params
        return rng.lognormal(mu, sigma, size)

    @property
    def mean(self):
        mu, sigma = self.log_params
        exponent = mu + sigma * sigma / 2
        return math.exp(exponent) if exponent < 709 else math.inf  # exp overflows past ~709.78


class Gamma(_Spec):
    """Gamma given ``shape`` and either ``scale`` or ``mean``."""

    dist: Literal["gamma"] = "gamma"
    shape: Number = Field(gt=0)
    scale: Number | None = Field(default=None, gt=0)
    mean_: Number | None = Field(default=None, gt=0, alias="mean")
    _SCALE: ClassVar[tuple[str, ...]] = ("scale", "mean_")

    @model_validator(mode="after")
    def _scale_or_mean(self):
        if (self.scale is None) == (self.mean_ is None):
            raise ValueError("give shape and exactly one of scale or mean")
        return self

    @property
    def theta(self) -> float:
        """Scale parameter."""
        return self.scale if self.scale is not None else self.mean_ / self.shape

    def sample(self, rng, size):
        return rng.gamma(self.shape, self.theta, size)

    @property
    def mean(self):
        return self.shape * self.theta


class Triangular(_Spec):
    """Triangular between ``low`` and ``high`` with peak at ``mode``."""

    dist: Literal["triangular"] = "triangular"
    low: Number = Field(ge=0)
    mode: Number = Field(ge=0)
    high: Number = Field(ge=0)
    _SCALE: ClassVar[tuple[str, ...]] = ("low", "mode", "high")

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("need low <= mode <= high and low < high")
        return self

    def sample(self, rng, size):
        return rng.triangular(self.low, self.mode, self.high, size)

    @property
    def mean(self):
        return (self.low + self.mode + self.high) / 3


class Empirical(_Spec):
    """Resample, with replacement, from observed values (e.g. an incident export)."""

    dist: Literal["empirical"] = "empirical"
    observations: tuple[Number, ...] = Field(min_length=1)

    def scaled(self, factor: float) -> Empirical:
        return self.model_copy(
            update={"observations": tuple(x * factor for x in self.observations)}
        )

    @model_validator(mode="after")
    def _non_negative(self):
        if min(self.observations) < 0:
            raise ValueError("observations must be >= 0")
        return self

    def sample(self, rng, size):
        import numpy as np

        return rng.choice(np.asarray(self.observations, dtype=float), size)

    @property
    def mean(self):
        n = len(self.observations)
        return math.fsum(x / n for x in self.observations)  # no overflow near 1e308

    @property
    def is_zero(self):
        return max(self.observations) == 0


def _number_means_constant(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"dist": "constant", "value": value}
    return value


_Specs = Union[Constant, Exponential, Lognormal, Gamma, Triangular, Empirical]  # noqa: UP007
DISTRIBUTION_KINDS = tuple(spec.model_fields["dist"].default for spec in typing.get_args(_Specs))
"""The values of ``dist``, e.g. ``"lognormal"``."""

Distribution = Annotated[
    _Specs,
    Field(discriminator="dist"),
    BeforeValidator(
        _number_means_constant,
        json_schema_input_type=Union[Annotated[float, Field(ge=0)], _Specs],  # noqa: UP007
    ),
]
"""A delay or effort: a number (constant minutes) or a mapping with ``dist``."""

ZERO = Constant(value=0)
