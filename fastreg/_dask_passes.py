# fastreg._dask_passes: the passes over a dask array's row blocks. The rows stay in the
# blocks on the workers that hold them; the client holds the solver's state, a few
# vectors long. A pass maps a block function (the compiled fused pass, the column means
# or the sufficient statistics of one block) over the blocks and reduces the results in
# block order. DaskData hands those passes to the compiled solver as the kernels'
# FR_CALLER data kind, so L-BFGS, FISTA and GD on a cluster are the very iterations they
# are in memory.
#
# Design decisions:
#   a. One graph submission per pass, with one task per worker: the task runs the block
#      function on each block that worker holds (asked of the scheduler when the inputs
#      are persisted, and again only after a task ran elsewhere than where its blocks
#      were, as after a worker was lost), with the kernels' threads set to the worker's
#      thread count. Latency, not bandwidth, is what a cluster adds to a pass, and it
#      grows with the number of tasks and with the client's work to build them: the
#      tasks are submitted as futures, not built as a graph of Delayed objects, and the
#      point a pass is evaluated at travels inside them (one copy per worker).
#   b. Deterministic reduction: the blocks are cut into fixed segments of consecutive
#      blocks (one block each, unless the partials of all blocks would exceed
#      _GATHER_LIMIT doubles); a segment is folded left in block order, by the worker
#      when it holds the whole segment and by the client otherwise (the same additions
#      in the same order), and the segments are folded in order on the client. The
#      result depends on the block count and the partials' size only, not on placement,
#      scheduling, worker count or failures.
#   c. Fault tolerance is Dask's: the inputs are persisted from their graphs, so blocks
#      lost with a worker are recomputed and a pass that needed them waits for them; the
#      pass's value is the same bits.
#   d. Without a dask.distributed client (Dask's local schedulers) every block is its own
#      task in one dask.compute; the results are the same.
import functools

import numpy as np

from fastreg import _kernels
from fastreg._problem import CallerData
from fastreg._statistics import combine, sufficient_statistics
from fastreg._validation_dask import (
    block_all_finite,
    block_weight_facts,
    check_finite_blocks,
    check_weight_facts,
)

# Doubles of partial sums a pass gathers to the client at most (decision b).
_GATHER_LIMIT = 1 << 21


def kernel_array(values, dtype=None):
    """``values`` as the kernels read it: C-contiguous and aligned to its item size.

    A block deserialised on a worker can sit at an odd offset of the message it came in
    (its values are not copied out), and the kernels' loads of doubles and floats from
    such an address are undefined behaviour: it is copied then.

    Parameters
    ----------
    values : ndarray
        A block, or its targets or weights.
    dtype : numpy dtype or None, default=None
        The dtype wanted (None: the block's own).

    Returns
    -------
    array : ndarray
    """
    return np.require(values, dtype=dtype, requirements=("C_CONTIGUOUS", "ALIGNED"))


def _rows(X, design):
    """A block as the kernels read it: C-contiguous float, through the design map."""
    if design is not None:
        X = design(X)
    return kernel_array(X)


def _targets(y, dtype):
    return None if y is None else kernel_array(y, dtype)


def block_loss_gradient(
    X, y, sample_weight, point, loss, n_outputs, loss_param, gradient, n_threads=1
):
    """The fused pass over one block: [loss sum, grad_intercept (K), grad_coef (K d)].

    Parameters
    ----------
    X : ndarray of shape (n_block, n_features)
        The block's rows (float32 or float64).
    y : ndarray of shape (n_block,)
        Targets in the kernels' form.
    sample_weight : ndarray of shape (n_block,) or None
        Weights.
    point : ndarray of shape (n_outputs * (n_features + 1),)
        The coefficients (row-major) followed by the intercepts, float64.
    loss : int
        Loss code.
    n_outputs : int
        Outputs of the loss.
    loss_param : float
        The loss's parameter.
    gradient : bool
        Whether the gradient sums are wanted (else only the loss sum is returned).
    n_threads : int, default=1
        Threads of the kernel (the result does not depend on it).

    Returns
    -------
    sums : ndarray
        float64, ``1 + K + K d`` values (1 without ``gradient``).
    """
    X = _rows(X, None)
    n_coef = point.shape[0] - n_outputs
    coef = point[:n_coef].reshape(n_outputs, -1)
    value, grad_coef, grad_intercept = _kernels.loss_gradient(
        loss, X, _targets(y, X.dtype), _targets(sample_weight, X.dtype), coef,
        point[n_coef:], n_threads, loss_param,
    )  # fmt: skip
    if not gradient:
        return np.array([value])
    return np.concatenate(([value], grad_intercept, grad_coef.reshape(-1)))


def block_summary(X, y, sample_weight, check_y, n_threads=1):
    """One block's [S, weighted column sums (d), X finite, y finite, weight facts (4)].

    Parameters
    ----------
    X : ndarray of shape (n_block, n_features)
        Rows.
    y : ndarray of shape (n_block,)
        Targets.
    sample_weight : ndarray of shape (n_block,) or None
        Weights.
    check_y : bool
        Whether y's finiteness is checked (regression targets).
    n_threads : int, default=1
        Threads of the kernel.

    Returns
    -------
    summary : ndarray of shape (n_features + 7,)
        float64.
    """
    X = _rows(X, None)
    s = _targets(sample_weight, X.dtype)
    targets = _targets(y, X.dtype)
    means, total = _kernels.column_means(_kernels.LOSS_SQUARED, X, targets, s, n_threads)
    y_finite = block_all_finite(y) if check_y else 1.0
    flags = [block_all_finite(X), y_finite]
    return np.concatenate(([total], means * total, flags, block_weight_facts(s)))


def block_statistics(X, y, sample_weight, design, n_threads=1):
    """The sufficient statistics of one block (fastreg._statistics).

    Parameters
    ----------
    X : ndarray of shape (n_block, n_features)
        Rows.
    y : ndarray of shape (n_block,)
        Targets.
    sample_weight : ndarray of shape (n_block,) or None
        Weights.
    design : callable or None
        Maps the block to the model's design matrix (polynomial features).
    n_threads : int, default=1
        Threads of the pass.

    Returns
    -------
    Statistics
    """
    X = _rows(X, design)
    return sufficient_statistics(
        X, _targets(y, X.dtype), _targets(sample_weight, X.dtype), n_threads=n_threads
    )


def apply_to_blocks(block_function, blocks, indices, arguments, n_threads, segment, fold):
    """``block_function`` on the blocks one worker holds, folded by whole segments.

    Parameters
    ----------
    block_function : callable
        ``block_function(X, y, sample_weight, *arguments, n_threads=n_threads)``.
    blocks : list of tuple
        ``(X, y, sample_weight)`` of each block.
    indices : list of int
        The blocks' indices, increasing.
    arguments : tuple
        The further arguments.
    n_threads : int
        Threads of each call.
    segment : int
        Blocks per segment (decision b).
    fold : callable or None
        ``fold(*parts)`` folds a segment's results left in order; None keeps every
        block's result.

    Returns
    -------
    address : str or None
        The worker that ran this (None outside dask.distributed).
    results : dict
        ``{("block", i): result}`` and ``{("segment", j): folded result}`` for the
        segments this worker holds whole.
    """
    values = {
        index: block_function(*block, *arguments, n_threads=n_threads)
        for index, block in zip(indices, blocks, strict=True)
    }
    results = {}
    for index in indices:
        first = index - index % segment
        whole = fold is not None and all(i in values for i in range(first, first + segment))
        if not whole:
            results["block", index] = values[index]
        elif index == first:
            results["segment", first // segment] = fold(
                *[values[i] for i in range(first, first + segment)]
            )
    try:
        from distributed import get_worker

        address = get_worker().address
    except (ImportError, ValueError):
        address = None
    return address, results


def _sum_in_order(*parts):
    total = np.array(parts[0], dtype=np.float64)
    for part in parts[1:]:
        total += part
    return total


def _combine_in_order(*parts):
    return functools.reduce(combine, parts)


def _distributed_client():
    """The dask.distributed client Dask computes with now, or None (decision d).

    Dask's own choice of scheduler decides (a ``dask.config.set(scheduler=...)`` is
    honoured even while a client exists).
    """
    import dask.base

    client = getattr(dask.base.get_scheduler(), "__self__", None)
    try:
        from distributed import Client
    except ImportError:
        return None
    return client if isinstance(client, Client) else None


def _worker_threads(client):
    """{worker address: threads} of every worker the scheduler knows."""
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:  # versions that list every worker by default
        info = client.scheduler_info()
    return {address: int(w.get("nthreads", 1)) for address, w in info["workers"].items()}


def _flat_keys(collection):
    keys = collection.__dask_keys__()
    return [key[0] if isinstance(key, list) else key for key in keys]


class DaskData(CallerData):
    """Row blocks of a dask array (with targets and weights) as the solver's data.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        float32 or float64, one chunk across the columns, known row chunks.
    y : dask array of shape (n_samples,)
        Targets in the kernels' form (X's dtype), cut at X's row chunks.
    sample_weight : dask array of shape (n_samples,) or None
        Weights in X's dtype, cut at X's row chunks; None means unit weights.
    check_y : bool, default=False
        Whether the first pass checks y's finiteness.

    Notes
    -----
    The inputs are persisted on construction (already persisted ones are not copied).
    The first pass, `summarise`, reads every block once for the weighted column means,
    the weight sum and the finiteness and weight checks; `column_means` returns it
    thereafter.
    """

    def __init__(self, X, y, sample_weight=None, *, check_y=False):
        import dask

        X, y, sample_weight = dask.persist(X, y, sample_weight)
        # The persisted collections own the blocks' futures: kept for the fit's duration,
        # released with this object.
        self.persisted = (X, y, sample_weight)
        self.shape = (int(X.shape[0]), int(X.shape[1]))
        self.dtype = np.dtype(X.dtype)
        self.n_passes = 0
        self._check_y = check_y
        self._summary = None
        self._client = _distributed_client()
        self._groups = None
        if self._client is None:  # Delayed blocks for dask.compute (decision d)
            columns = [c.to_delayed().ravel() for c in (X, y, sample_weight) if c is not None]
        else:  # the blocks' futures, in block order
            from distributed import futures_of

            futures = {f.key: f for f in futures_of(self.persisted)}
            columns = [
                [futures[key] for key in _flat_keys(c)]
                for c in (X, y, sample_weight)
                if c is not None
            ]
        if sample_weight is None:
            columns.append([None] * len(columns[0]))
        self.blocks = list(zip(*columns, strict=True))

    def _worker_groups(self):
        """[(address, block indices in order, threads)] of the workers holding blocks."""
        if self._groups is None:
            from distributed import wait

            wait([x for x, _, _ in self.blocks])
            who_has = self._client.who_has([x for x, _, _ in self.blocks])
            threads = _worker_threads(self._client)
            by_worker = {}
            for index, (x, _, _) in enumerate(self.blocks):
                holders = sorted(who_has.get(x.key, ())) or [None]
                by_worker.setdefault(holders[0], []).append(index)
            self._groups = [
                (address, indices, max(1, threads.get(address, 1)))
                for address, indices in by_worker.items()
            ]
        return self._groups

    def _segment(self, size):
        """Blocks per reduction segment for block results of ``size`` doubles."""
        n_blocks = len(self.blocks)
        return max(1, min(n_blocks, -(-(n_blocks * size) // _GATHER_LIMIT)))

    def _run(self, block_function, arguments, segment, fold):
        """Every block's (or whole segment's) result, as ``apply_to_blocks`` returns them."""
        self.n_passes += 1
        if self._client is None:
            import dask

            task = dask.delayed(block_function, pure=True)
            values = dask.compute(*[task(*block, *arguments) for block in self.blocks])
            return {("block", i): value for i, value in enumerate(values)}
        groups = self._worker_groups()
        futures = self._client.map(
            apply_to_blocks,
            [block_function] * len(groups),
            [[self.blocks[i] for i in indices] for _, indices, _ in groups],
            [indices for _, indices, _ in groups],
            [arguments] * len(groups),
            [threads for _, _, threads in groups],
            [segment] * len(groups),
            [fold] * len(groups),
            pure=False,
        )
        results = {}
        for (address, _, _), (ran_on, values) in zip(
            groups, self._client.gather(futures), strict=True
        ):
            if ran_on != address:  # the blocks moved (a worker was lost): ask again
                self._groups = None
            results.update(values)
        return results

    def map_blocks(self, block_function, arguments):
        """``block_function(X_i, y_i, s_i, *arguments)`` for every block, in block order.

        Parameters
        ----------
        block_function : callable
            Runs on the worker holding the block (keyword ``n_threads``).
        arguments : tuple
            Further arguments.

        Returns
        -------
        results : list
            One per block, in block order (one graph submission, decision a).
        """
        results = self._run(block_function, arguments, 1, None)
        return [results["block", i] for i in range(len(self.blocks))]

    def map_reduce(self, block_function, arguments, fold, size):
        """`map_blocks`, folded left in block order by ``fold`` (decision b).

        Parameters
        ----------
        block_function : callable
            Runs on the worker holding the block.
        arguments : tuple
            Further arguments.
        fold : callable
            ``fold(*parts)`` folds consecutive blocks' results left, in order.
        size : int
            Doubles per block result (sets the segments).

        Returns
        -------
        result : object
            The fold of every block's result, in block order.
        """
        segment = self._segment(size)
        results = self._run(block_function, arguments, segment, fold)
        totals = []
        for first in range(0, len(self.blocks), segment):
            if ("segment", first // segment) in results:
                totals.append(results["segment", first // segment])
            else:
                last = min(first + segment, len(self.blocks))
                totals.append(fold(*[results["block", i] for i in range(first, last)]))
        return fold(*totals)

    def summarise(self):
        """The first pass: means, weight sum and the value checks (raises on bad input).

        Returns
        -------
        means : ndarray of shape (n_features,)
            Weighted column means.
        total_weight : float
            The weight sum.
        """
        if self._summary is None:
            parts = [np.asarray(p) for p in self.map_blocks(block_summary, (self._check_y,))]
            d = self.shape[1]
            check_finite_blocks([part[d + 1] for part in parts], "X", self.dtype)
            check_finite_blocks([part[d + 2] for part in parts], "y", self.dtype)
            check_weight_facts([part[d + 3 :] for part in parts], self.dtype)
            sums = _sum_in_order(*[part[: d + 1] for part in parts])
            total = float(sums[0])
            means = sums[1:] / total if 0.0 < total < np.inf else np.zeros(d)
            self._summary = (means, total)
        return self._summary

    def column_means(self):
        """See `fastreg._problem.CallerData.column_means`.

        Returns
        -------
        means : ndarray of shape (n_features,)
            Weighted column means.
        total_weight : float
            The weight sum.
        """
        return self.summarise()

    def loss_gradient(self, loss, n_outputs, loss_param, coef, intercept, with_gradient):
        """One fused pass over every block (see `fastreg._problem.CallerData`).

        Parameters
        ----------
        loss : int
            Loss code.
        n_outputs : int
            Rows of ``coef``.
        loss_param : float
            The loss's parameter.
        coef : ndarray of shape (n_outputs, n_features)
            Coefficients.
        intercept : ndarray of shape (n_outputs,)
            Intercepts.
        with_gradient : bool
            Whether the gradient sums are needed.

        Returns
        -------
        loss_sum : float
        grad_coef : ndarray of shape (n_outputs, n_features) or None
        grad_intercept : ndarray of shape (n_outputs,) or None
        """
        point = np.concatenate([np.asarray(coef, dtype=np.float64).reshape(-1), intercept])
        size = 1 + point.shape[0] if with_gradient else 1
        arguments = (point, loss, n_outputs, loss_param, bool(with_gradient))
        sums = self.map_reduce(block_loss_gradient, arguments, _sum_in_order, size)
        if not with_gradient:
            return float(sums[0]), None, None
        grad_intercept = sums[1 : 1 + n_outputs]
        return float(sums[0]), sums[1 + n_outputs :].reshape(n_outputs, -1), grad_intercept

    def statistics(self, design=None, n_design_features=None):
        """The sufficient statistics of every block, combined in block order.

        Parameters
        ----------
        design : callable or None, default=None
            Maps a block to the design matrix (None: the rows themselves).
        n_design_features : int or None, default=None
            Columns of the design matrix (for the reduction's size).

        Returns
        -------
        Statistics
        """
        width = n_design_features or self.shape[1]
        size = width * width + 2 * width + 4
        return self.map_reduce(block_statistics, (design,), _combine_in_order, size)
