"""Figures read from wrk's output (bench/http.sh, bench/ha.sh)."""
import re


def rps(out):
    """Requests per second."""
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def lat(out, p):
    """The p-th percentile latency in ms (wrk --latency)."""
    m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v


def errs(out):
    """Responses that were not 2xx or 3xx."""
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return int(m.group(1)) if m else 0
