"""``einsum`` composed from namespace operations (so autograd records it).

Operands are contracted pairwise, left to right; each pair becomes one ``matmul`` over
(batch, kept-left, contracted, kept-right) groups; a repeated index within one operand
takes a diagonal first, an index that no later operand and not the output needs is
summed first.
"""
import math

import minitensor as _mt


def _parse(equation, operands):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
        explicit = True
    else:
        lhs, out, explicit = eq, None, False
    if any(not (c.isascii() and (c.isalpha() or c in ",.")) for c in lhs + (out or "")):
        raise ValueError(f"einsum(): invalid subscript in {equation!r} (use the letters "
                         f"a-z, A-Z and '...')")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum(): {len(terms)} operand subscripts in {equation!r} for "
                         f"{len(operands)} operands")
    n_ell = 0
    for term, op in zip(terms, operands):
        if "..." in term:
            n_ell = max(n_ell, op.ndim - (len(term) - 3))
    ell = [chr(0x3B1 + i) for i in range(n_ell)]  # placeholders (Greek letters)
    subs = []
    for term, op in zip(terms, operands):
        if "..." in term:
            k = op.ndim - (len(term) - 3)
            if k < 0:
                raise ValueError(f"einsum(): subscript {term!r} has more indices than the "
                                 f"operand has dimensions ({op.ndim})")
            term = term.replace("...", "".join(ell[n_ell - k:]))
        if any(not (c.isalpha()) for c in term):
            raise ValueError(f"einsum(): invalid subscript in {equation!r}")
        if len(term) != op.ndim:
            raise ValueError(f"einsum(): subscript {term!r} has {len(term)} indices for an "
                             f"operand of {op.ndim} dimensions")
        subs.append(list(term))
    if explicit:
        out = out.replace("...", "".join(ell))
        if len(set(out)) != len(out):
            raise ValueError(f"einsum(): output subscript {out!r} repeats an index")
        for c in out:
            if not any(c in s for s in subs):
                raise ValueError(f"einsum(): output index {c!r} does not appear in the inputs")
    else:
        counts = {}
        for s in subs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = "".join(ell) + "".join(sorted(c for c, n in counts.items()
                                            if n == 1 and c not in ell))
    return subs, list(out)


def _diagonals(x, s):
    """Take the diagonal of every index repeated within one operand."""
    while True:
        rep = next((c for c in s if s.count(c) > 1), None)
        if rep is None:
            return x, s
        i = s.index(rep)
        j = s.index(rep, i + 1)
        x = _mt.moveaxis(x, (i, j), (-2, -1))
        x = _mt.linalg.diagonal(x)
        s = [c for k, c in enumerate(s) if k not in (i, j)] + [rep]


def _sum_unneeded(x, s, needed):
    axes = tuple(i for i, c in enumerate(s) if c not in needed)
    if axes:
        x = _mt.sum(x, axis=axes)
        s = [c for c in s if c in needed]
    return x, s


def _pair(a, sa, b, sb, keep):
    """Contract two operands, keeping the indices in ``keep``."""
    sizes = {}
    for x, s in ((a, sa), (b, sb)):
        for c, n in zip(s, x.shape):
            sizes.setdefault(c, set()).add(n)
    batch = [c for c in sa if c in sb and c in keep]
    contract = [c for c in sa if c in sb and c not in keep]
    left = [c for c in sa if c not in sb]
    right = [c for c in sb if c not in sa]
    if any(len(sizes[c]) > 1 for c in contract + left + right):
        # a broadcast (size-1) contracted index: multiply out and sum
        allc = batch + left + right + contract
        pa = _mt.reshape(_mt.permute_dims(a, tuple(sa.index(c) for c in batch + left + contract)),
                         tuple(a.shape[sa.index(c)] for c in batch + left)
                         + (1,) * len(right)
                         + tuple(a.shape[sa.index(c)] for c in contract))
        pb = _mt.reshape(_mt.permute_dims(b, tuple(sb.index(c) for c in batch + right + contract)),
                         tuple(b.shape[sb.index(c)] for c in batch) + (1,) * len(left)
                         + tuple(b.shape[sb.index(c)] for c in right + contract))
        r = pa * pb
        if contract:
            r = _mt.sum(r, axis=tuple(range(len(allc) - len(contract), len(allc))))
        return r, batch + left + right
    a2 = _mt.permute_dims(a, tuple(sa.index(c) for c in batch + left + contract))
    b2 = _mt.permute_dims(b, tuple(sb.index(c) for c in batch + contract + right))
    nb = len(batch)
    bsa, bsb = a2.shape[:nb], b2.shape[:nb]
    ls = a2.shape[nb:nb + len(left)]
    cs = a2.shape[nb + len(left):]
    rs = b2.shape[nb + len(contract):]
    a3 = _mt.reshape(a2, bsa + (math.prod(ls), math.prod(cs)))
    b3 = _mt.reshape(b2, bsb + (math.prod(cs), math.prod(rs)))
    r = _mt.matmul(a3, b3)
    r = _mt.reshape(r, r.shape[:nb] + ls + rs)
    return r, batch + left + right


def einsum(equation, *operands):
    if not operands:
        raise ValueError("einsum(): at least one operand is required")
    subs, out = _parse(equation, operands)
    ops = []
    for x, s in zip(operands, subs):
        ops.append(_diagonals(x, s))
    x, s = ops[0]
    for k in range(1, len(ops) + 1):
        later = set(out)
        for _, t in ops[k:]:
            later.update(t)
        x, s = _sum_unneeded(x, s, later)
        if k == len(ops):
            break
        y, t = ops[k]
        y, t = _sum_unneeded(y, t, later | set(s))
        x, s = _pair(x, s, y, t, later)
    if sorted(s) != sorted(out):  # pragma: no cover (guarded by _parse)
        raise ValueError(f"einsum(): could not produce the output {''.join(out)!r}")
    perm = tuple(s.index(c) for c in out)
    return _mt.permute_dims(x, perm) if perm != tuple(range(len(perm))) else x
