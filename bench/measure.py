"""Time a command in its own process and record the peak memory of its whole tree."""
import os
import subprocess
import time
from pathlib import Path

import psutil

POLL_SECONDS = 0.05


def tree_memory(proc):
    """(RSS, PSS) summed over a process and all its descendants, in bytes.

    RSS counts a page shared by forked processes once per process; PSS
    divides it among them, so the PSS sum is what the machine holds.
    """
    rss = pss = 0
    try:
        family = [proc] + proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0, 0
    for member in family:
        try:
            info = member.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return rss, pss


def run_measured(cmd, cwd=None, env=None, log=None):
    """Run cmd; return dict(seconds, peak_rss_bytes, peak_pss_bytes,
    peak_single_rss_bytes, returncode).

    Several peaks because each misses something: polling the tree catches worker
    processes running side by side but can miss a short spike, and its RSS sum
    counts pages that forked processes share once per process (PSS does not);
    wait4's ru_maxrss never misses a spike but only gives the largest single
    process.
    """
    start = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=log)
    proc, peak, peak_pss = psutil.Process(child.pid), 0, 0
    while True:
        # wait4 rather than Popen.poll: it hands back this child's own rusage.
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        rss, pss = tree_memory(proc)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    single = usage.ru_maxrss * 1024  # Linux reports kilobytes
    return {"seconds": seconds, "peak_rss_bytes": max(peak, single),
            "peak_pss_bytes": max(peak_pss, single), "peak_single_rss_bytes": single,
            "returncode": child.returncode}


def disk_size(path):
    """Bytes used by the files under path."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())
