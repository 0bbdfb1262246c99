"""Text specs of frequency and severity models (``poisson:0.05``, ``lognormal:meanlog=..``)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.aggregate import Binomial, NegativeBinomial, Poisson
from pricing.distributions import GPD, Gamma, LogLogistic, Lognormal, Lomax, Weibull
from pricing.exceptions import InputError
from pricing.specs import FREQUENCY_FAMILIES, SEVERITY_FAMILIES, parse_frequency, parse_severity


def spec_text(family: str, obj: object, positional: bool = False) -> str:
    """``family:name=value,...`` (or positional values) from a model's fields, repr exact."""
    values = [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]
    if positional:
        return f"{family}:" + ",".join(repr(v) for _, v in values)
    return f"{family}:" + ",".join(f"{k}={v!r}" for k, v in values)


positive = st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False)
amounts = st.floats(1e3, 1e10)
shapes = st.floats(0.2, 1e3)


@settings(max_examples=30, deadline=None)
@given(
    family_obj=st.one_of(
        positive.map(lambda m: ("poisson", Poisson(m))),
        st.tuples(positive, positive).map(lambda t: ("negbin", NegativeBinomial(*t))),
        st.tuples(st.integers(1, 1_000), st.floats(1e-6, 0.999)).map(
            lambda t: ("binomial", Binomial(*t))
        ),
    ),
    positional=st.booleans(),
)
def test_frequency_round_trip(family_obj, positional):
    """Writing a frequency's fields as a spec and parsing it gives the same model exactly."""
    family, obj = family_obj
    assert parse_frequency(spec_text(family, obj, positional)) == obj


@settings(max_examples=40, deadline=None)
@given(
    family_obj=st.one_of(
        st.tuples(st.floats(5, 25), st.floats(0.1, 4)).map(lambda t: ("lognormal", Lognormal(*t))),
        st.tuples(positive, amounts).map(lambda t: ("gamma", Gamma(*t))),
        # shapes below 0.05, or tails whose 1-in-1e10 loss passes 1e100 USD, are refused
        st.tuples(shapes, amounts).map(lambda t: ("weibull", Weibull(*t))),
        st.tuples(shapes, amounts).map(lambda t: ("lomax", Lomax(*t))),
        st.tuples(shapes, amounts).map(lambda t: ("loglogistic", LogLogistic(*t))),
        st.tuples(st.floats(-0.5, 1.5), amounts, amounts).map(lambda t: ("gpd", GPD(*t))),
    ),
    positional=st.booleans(),
)
def test_severity_round_trip(family_obj, positional):
    family, obj = family_obj
    assert parse_severity(spec_text(family, obj, positional)) == obj


def test_documented_examples():
    assert parse_frequency("poisson:0.05") == Poisson(0.05)
    assert parse_frequency("poisson:mean=0.05") == Poisson(0.05)
    assert parse_frequency("negbin:mean=0.2,size=5") == NegativeBinomial(0.2, 5.0)
    assert parse_frequency("negbin:0.2,5") == NegativeBinomial(0.2, 5.0)
    binomial = parse_frequency("binomial:n=10,p=0.01")
    assert binomial == Binomial(10, 0.01) and isinstance(binomial.n, int)
    assert parse_severity("lognormal:meanlog=17,sdlog=1.8") == Lognormal(17.0, 1.8)
    assert parse_severity("lognormal:sdlog=1.8,meanlog=17") == Lognormal(17.0, 1.8)
    assert parse_severity("gpd:shape=0.3,scale=1e6,threshold=1e7") == GPD(0.3, 1e6, 1e7)


def test_case_and_whitespace_are_tolerated():
    assert parse_frequency("  Poisson: mean = 0.05 ") == Poisson(0.05)
    assert parse_frequency("poisson :0.05") == Poisson(0.05)
    assert parse_severity("LOMAX: shape=1.5 , scale=2e7") == Lomax(1.5, 2e7)


def test_every_family_is_listed():
    assert set(FREQUENCY_FAMILIES) == {"poisson", "negbin", "binomial"}
    assert set(SEVERITY_FAMILIES) == {
        "lognormal",
        "gamma",
        "weibull",
        "lomax",
        "loglogistic",
        "gpd",
    }


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("cauchy:1,2", ["unknown family 'cauchy'", "poisson", "negbin", "binomial"]),
        ("poisson", ["poisson", "after ':'", "poisson:mean=..."]),
        ("poisson:", ["poisson", "after ':'"]),
        ("poisson:lambda=0.05", ["unknown parameter 'lambda'", "poisson", "mean"]),
        ("poisson:0.05,2", ["too many values", "poisson"]),
        ("poisson:mean=abc", ["parameter 'mean'", "'abc' is not a number"]),
        ("poisson:-1", ["'mean'", "> 0"]),
        ("poisson:mean=1,mean=2", ["parameter 'mean' is given twice"]),
        ("negbin:0.2,size=5,mean=3", ["parameter 'mean' is given twice"]),
        ("negbin:mean=0.2", ["missing parameter(s) size"]),
        ("negbin:mean=0.2,size=0", ["'size'"]),
        ("binomial:n=10.5,p=0.1", ["'n'", "whole number"]),
        ("binomial:n=10,p=1.5", ["'p'"]),
    ],
)
def test_frequency_errors_name_the_family_and_parameter(text, words):
    with pytest.raises(InputError) as info:
        parse_frequency(text)
    (problem,) = info.value.problems
    assert problem.field == "frequency"
    message = problem.message
    assert message.startswith(f"'{text}': ")
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("pareto:1,2", ["unknown family 'pareto'", "lognormal", "lomax", "gpd"]),
        ("lognormal", ["lognormal:meanlog=...,sdlog=..."]),
        ("lognormal:meanlog=17,sd=1.8", ["unknown parameter 'sd'", "lognormal", "meanlog, sdlog"]),
        ("lognormal:meanlog=17", ["missing parameter(s) sdlog"]),
        ("lognormal:meanlog=17,sdlog=-1", ["'sdlog'"]),
        ("lognormal:meanlog=x,sdlog=1", ["parameter 'meanlog'", "'x' is not a number"]),
        ("gamma:shape=0,scale=1", ["'shape'"]),
        ("weibull:shape=1,scale=-2", ["'scale'"]),
        ("lomax:1,2,3", ["too many values", "lomax"]),
        ("gpd:shape=0.3,scale=1e6", ["missing parameter(s) threshold"]),
        ("gpd:shape=0.3,scale=1e6,threshold=-1", ["'threshold'"]),
        ("loglogistic:shape=2,shape=3,scale=1", ["parameter 'shape' is given twice"]),
    ],
)
def test_severity_errors_name_the_family_and_parameter(text, words):
    with pytest.raises(InputError) as info:
        parse_severity(text)
    (problem,) = info.value.problems
    assert problem.field == "severity"
    message = problem.message
    assert message.startswith(f"'{text}': ")
    for word in words:
        assert word in message, (word, message)
