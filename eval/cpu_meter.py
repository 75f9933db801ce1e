"""Who used the machine's CPUs during a benchmark run (Linux ``/proc``).

On a shared machine the load average says little about one run: it lags by a minute and counts
the benchmark itself. :class:`CpuMeter` reads, around the run, the machine's busy CPU time
(``/proc/stat``: user, nice, system, irq, softirq and steal, the last being time the hypervisor
gave to other guests) and the CPU time of this process and all its descendants (live ones, and
the ones already reaped through their parents' ``cutime``/``cstime``). The difference is what
*other* processes (and the host) took: ``others`` is that, as a fraction of all the machine's
CPUs over the run.

    with CpuMeter() as m:
        run()
    m.others      # 0.02 = others used 2 % of the machine while run() ran
    m.own_seconds # CPU seconds of this process tree
"""

from __future__ import annotations

import os
import time

_HZ = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds that all CPUs spent busy (steal included) since boot."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / _HZ


def _stats() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, CPU jiffies of the process and its reaped children)."""
    out: dict[int, tuple[int, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                text = f.read()
        except OSError:  # gone meanwhile
            continue
        f_ = text[text.rindex(")") + 2 :].split()
        # fields after the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15)
        out[int(name)] = (int(f_[1]), sum(int(x) for x in f_[11:15]))
    return out


def tree_cpu_seconds(root: int | None = None) -> float:
    """CPU seconds of process ``root`` (default: this one) and all its descendants."""
    root = os.getpid() if root is None else root
    stats = _stats()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo.extend(children.get(pid, ()))
    return total / _HZ


class CpuMeter:
    """Wall time, this process tree's CPU time and the others' share of the machine over a block."""

    def __enter__(self) -> CpuMeter:
        self._t, self._m, self._own = time.monotonic(), machine_busy_seconds(), tree_cpu_seconds()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.monotonic() - self._t
        self.own_seconds = tree_cpu_seconds() - self._own
        busy = machine_busy_seconds() - self._m
        cpus = os.cpu_count() or 1
        self.others = max(0.0, busy - self.own_seconds) / (self.seconds * cpus)


def others_now(seconds: float = 2.0) -> float:
    """The others' share of the machine over the next ``seconds`` (this process idle)."""
    with CpuMeter() as m:
        time.sleep(seconds)
    return m.others


def wait_quiet(limit: float = 0.1, max_wait: float = 120.0) -> float:
    """Wait (at most ``max_wait`` s) until others use under ``limit`` of the machine; returns
    the last share read."""
    deadline = time.monotonic() + max_wait
    share = others_now()
    while share >= limit and time.monotonic() < deadline:
        share = others_now()
    return share
