"""The driver's one error type: what a user supplied (study file, weights, data, recorded runs)
cannot be used. Its message names the file, the line or field, and the reason."""


class CrossCheckError(Exception):
    """Bad input to the cross-check driver; `crosscheck.py` prints it and exits non-zero."""
