# bench/progress.py: a dependency-free progress bar on stderr, e.g.
#     [#####.....] 12/48 large logistic float64 t=2
# redrawn in place on a terminal, one line per step otherwise (logs, pipes).
import sys
import time


class ProgressBar:
    """Counts steps of a run and shows the current one on stderr.

    Parameters
    ----------
    total : int
        Number of steps the run will take.
    width : int, default=20
        Characters of the bar.
    stream : file-like, optional
        Where to draw; ``sys.stderr`` by default.
    """

    def __init__(self, total, width=20, stream=None):
        self.total = max(int(total), 1)
        self.width = width
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.start = time.perf_counter()
        self._last_length = 0
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def step(self, label):
        """Announce the step about to run; the previous one counts as done.

        Parameters
        ----------
        label : str
            What is being measured now.
        """
        self._draw(label)
        self.done = min(self.done + 1, self.total)

    def close(self):
        """Draw the full bar with the elapsed time and end the line."""
        self.done = self.total
        self._draw(f"done in {time.perf_counter() - self.start:.1f} s")
        if self._tty:
            self.stream.write("\n")
        self.stream.flush()

    def _draw(self, label):
        filled = round(self.width * self.done / self.total)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} {label}"
        if self._tty:
            padding = " " * max(0, self._last_length - len(line))
            self.stream.write("\r" + line + padding)
            self._last_length = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
