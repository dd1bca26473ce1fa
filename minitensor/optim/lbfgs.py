"""L-BFGS (``torch.optim.LBFGS``), with an optional strong-Wolfe line search."""
import math

import numpy as np

from .._array_object import Tensor
from ..autograd import enable_grad, no_grad
from ..autograd._inplace import note_inplace
from .optimizer import Optimizer, _check_lr, _real

__all__ = ["LBFGS"]


def _cubic_minimizer(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clipped to
    ``bounds`` (default: the interval between x1 and x2); the interval's midpoint
    when the cubic has no real critical point."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    disc = d1 * d1 - g1 * g2
    if disc >= 0:
        d2 = math.sqrt(disc)
        if x1 <= x2:
            xmin = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            xmin = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(xmin, lo), hi)
    return (lo + hi) / 2.0


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """Line search along ``d`` from step ``t`` for a step meeting the strong Wolfe
    conditions (Nocedal & Wright, algorithms 3.5 and 3.6: bracketing, then zoom
    with cubic interpolation). ``evaluate(t)`` returns the loss and the flat
    gradient at ``x + t d``. Returns ``(f_new, g_new, t, evaluations)``."""
    d_norm = float(np.max(np.abs(d)))
    g = g.copy()
    f_new, g_new = evaluate(t)
    evals = 1
    gtd_new = float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    it = 0
    while it < max_ls:
        if f_new > f + c1 * t * gtd or (it > 1 and f_new >= f_prev):
            br, br_f, br_g, br_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], \
                [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            br, br_f, br_g, br_gtd = [t], [f_new], [g_new], [gtd_new]
            done = True
            break
        if gtd_new >= 0:
            br, br_f, br_g, br_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], \
                [gtd_prev, gtd_new]
            break
        # extrapolate: the cubic's minimizer in [t + 0.01 (t - t_prev), 10 t]
        t_next = _cubic_minimizer(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                  bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new.copy(), gtd_new
        t = t_next
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = float(g_new @ d)
        it += 1
    if it == max_ls:
        br, br_f, br_g, br_gtd = [0.0, t], [f, f_new], [g, g_new], [gtd, gtd_new]

    # zoom into the bracket [low, high] (br_f[low] <= br_f[high])
    insufficient = False
    low, high = (0, 1) if br_f[0] <= br_f[-1] else (1, 0)
    while not done and it < max_ls:
        if abs(br[1] - br[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimizer(br[0], br_f[0], br_gtd[0], br[1], br_f[1], br_gtd[1])
        # keep t away from the ends of the bracket (at least 10% of its width)
        eps = 0.1 * (max(br) - min(br))
        if min(max(br) - t, t - min(br)) < eps:
            if insufficient or t >= max(br) or t <= min(br):
                t = max(br) - eps if abs(t - max(br)) < abs(t - min(br)) else min(br) + eps
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = float(g_new @ d)
        it += 1
        if f_new > f + c1 * t * gtd or f_new >= br_f[low]:
            br[high], br_f[high], br_g[high], br_gtd[high] = t, f_new, g_new.copy(), gtd_new
            low, high = (0, 1) if br_f[0] <= br_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (br[high] - br[low]) >= 0:
                br[high], br_f[high], br_g[high], br_gtd[high] = \
                    br[low], br_f[low], br_g[low], br_gtd[low]
            br[low], br_f[low], br_g[low], br_gtd[low] = t, f_new, g_new.copy(), gtd_new
    return br_f[low], br_g[low], br[low], evals


class LBFGS(Optimizer):
    r"""L-BFGS: limited-memory BFGS (Nocedal & Wright, algorithm 7.4).

    Each :meth:`step` runs up to ``max_iter`` iterations on all parameters
    together (one flat vector), calling ``closure`` to re-evaluate the loss and
    gradients: the search direction is the two-loop recursion over the last
    ``history_size`` curvature pairs; the step is ``lr`` (the first one scaled
    to ``min(1, 1 / ||g||_1) lr``) or, with ``line_search_fn="strong_wolfe"``, a
    step meeting the strong Wolfe conditions. It stops at ``max_iter``
    iterations, ``max_eval`` evaluations, a gradient below ``tolerance_grad``
    (max-norm) or a change in step or loss below ``tolerance_change``.

    Parameters
    ----------
    params : iterable
        Parameters (one group only).
    lr : float, default 1
        Step length.
    max_iter : int, default 20
        Iterations per :meth:`step`.
    max_eval : int or None, default None
        Closure evaluations per :meth:`step` (default ``max_iter * 5 // 4``).
    tolerance_grad : float, default 1e-7
        Stop when the largest gradient element is at most this.
    tolerance_change : float, default 1e-9
        Stop when the step or the loss changes less than this.
    history_size : int, default 100
        Number of curvature pairs kept.
    line_search_fn : None or "strong_wolfe", default None
        The line search.

    Examples
    --------
    >>> import minitensor as xp
    >>> from minitensor import optim
    >>> w = xp.tensor([-1.5, 2.0], requires_grad=True)
    >>> opt = optim.LBFGS([w], max_iter=100, line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2   # Rosenbrock
    ...     loss.backward()
    ...     return loss
    >>> _ = opt.step(closure)
    >>> [round(v, 4) for v in w.tolist()]
    [1.0, 1.0]
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"only 'strong_wolfe' is supported as line_search_fn, got "
                             f"{line_search_fn!r}")
        defaults = dict(lr=lr, max_iter=int(max_iter), max_eval=int(max_eval),
                        tolerance_grad=_real("tolerance_grad", tolerance_grad),
                        tolerance_change=_real("tolerance_change", tolerance_change),
                        history_size=int(history_size), line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ------------------------------------------------------------ flat vectors
    def _flat_grad(self):
        parts = [np.zeros(p.size, p._array.dtype) if p.grad is None
                 else np.asarray(p.grad._array).reshape(-1) for p in self._params]
        return np.concatenate(parts) if parts else np.zeros(0)

    def _add(self, t, d):
        """x += t d on the parameters (in place)."""
        i = 0
        with no_grad():
            for p in self._params:
                n = p.size
                a = p._array
                a += (t * d[i:i + n]).reshape(a.shape).astype(a.dtype, copy=False)
                note_inplace(p)
                i += n

    def _params_copy(self):
        return [p._array.copy() for p in self._params]

    def _set_params(self, values):
        for p, v in zip(self._params, values):
            p._array[...] = v
            note_inplace(p)

    def _evaluate(self, closure):
        with enable_grad():
            loss = closure()
        return float(loss), self._flat_grad()

    @staticmethod
    def _load_value(p, name, value):
        # the state holds flat vectors and lists of them (not parameter-shaped)
        if isinstance(value, Tensor):
            return value.item() if value.ndim == 0 else Tensor._new(value._array.copy())
        if isinstance(value, (list, tuple)):
            return [LBFGS._load_value(p, name, v) for v in value]
        return Optimizer._load_value(p, name, value)

    # -------------------------------------------------------------------- step
    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` (required) clears
        the gradients, computes the loss, calls ``backward`` and returns the loss.
        Returns the loss of the first evaluation."""
        if closure is None:
            raise RuntimeError("LBFGS requires a closure that reevaluates the model and "
                               "returns the loss")
        self._opt_called = True
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        history_size, line_search = group["history_size"], group["line_search_fn"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if float(np.max(np.abs(g), initial=0.0)) <= tol_grad:
            return orig_loss

        def arr(name):
            v = state.get(name)
            return None if v is None else v._array

        d, t = arr("d"), state.get("t")
        old_dirs = [v._array for v in state.get("old_dirs", [])]
        old_stps = [v._array for v in state.get("old_stps", [])]
        ro = list(state.get("ro", []))
        H_diag = state.get("H_diag", 1.0)
        prev_g, prev_loss = arr("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -g
                old_dirs, old_stps, ro, H_diag = [], [], [], 1.0
            else:
                # update the memory with the last curvature pair (if it is positive)
                y = g - prev_g
                s = d * t
                ys = float(y @ s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / float(y @ y)
                # two-loop recursion: d = -H g
                q = -g
                al = [0.0] * len(old_dirs)
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = float(old_stps[i] @ q) * ro[i]
                    q = q - al[i] * old_dirs[i]
                r = q * H_diag
                for i in range(len(old_dirs)):
                    be_i = float(old_dirs[i] @ r) * ro[i]
                    r = r + (al[i] - be_i) * old_stps[i]
                d = r
            prev_g = g.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(np.sum(np.abs(g)))) * lr
            else:
                t = lr
            gtd = float(g @ d)
            if gtd > -tol_change:
                break      # not a descent direction

            if line_search is not None:
                x0 = self._params_copy()

                def evaluate(step):
                    self._add(step, d)
                    out = self._evaluate(closure)
                    self._set_params(x0)
                    return out

                loss, g, t, ls_evals = _strong_wolfe(evaluate, t, d, loss, g, gtd)
                self._add(t, d)
            else:
                self._add(t, d)
                ls_evals = 0
                if n_iter != max_iter:
                    # (no re-evaluation after the last iteration: the caller's next
                    # step, or the final closure call, does it)
                    loss, g = self._evaluate(closure)
                    ls_evals = 1
            opt_cond = float(np.max(np.abs(g), initial=0.0)) <= tol_grad
            evals += ls_evals
            state["func_evals"] += ls_evals

            if n_iter == max_iter or evals >= max_eval or opt_cond:
                break
            if float(np.max(np.abs(d * t))) <= tol_change:
                break
            if abs(loss - prev_loss) < tol_change:
                break

        def vec(a):
            return None if a is None else Tensor._new(np.ascontiguousarray(a))

        state.update(d=vec(d), t=t, old_dirs=[vec(v) for v in old_dirs],
                     old_stps=[vec(v) for v in old_stps], ro=ro, H_diag=H_diag,
                     prev_flat_grad=vec(prev_g), prev_loss=prev_loss)
        return orig_loss
