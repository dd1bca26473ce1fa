/* The storage and operators of minitensor.Tensor: its C base class.
 *
 * `minitensor._array_object.Tensor` derives from `TensorBase`, which holds the
 * three slots of every tensor (`_array`, the NumPy array; `_meta`, the state of
 * a layer above the core; the weak-reference list) and implements the slots of
 * the operators: binary (`+ - * / // % ** @ & | ^ << >>`, both orders),
 * comparisons (`< <= == != > >=`) and unary (`- + abs ~`). In-place operators
 * stay Python methods of Tensor.
 *
 * Why C: `a + b` on two small tensors costs a Python-level `__add__` about
 * 0.35-0.45 us over NumPy's own `a + b` (0.25 us), of which the slot's call into
 * a Python function and the result's wrapping are most. Here a plain `Tensor`
 * operand of one dtype with a tensor of the same dtype or a Python float/int
 * calls the ufunc directly and wraps its result in C.
 *
 * The semantics stay in Python: `_array_object._operator_methods` registers,
 * per operator, the Python `forward(self, other)` and `reflected(self, other)`
 * functions (unary: `forward(self)`; comparisons have no reflected function:
 * Python's rich comparison reflects them itself) (which validate, promote, elide temporaries and raise the errors),
 * and, once the namespace function is resolved, the fast path's parameters:
 * the ufunc, the NumPy dtypes for which the ufunc's result is the function's
 * (two tensors of one dtype / a tensor with a Python float / with a Python int),
 * and the prepared `contextvars.Context` in which floating-point errors are
 * ignored (None: the ufunc cannot raise a flag). Anything else, any error in
 * the fast path, and arrays of `elide_bytes` or more (where temporary elision
 * pays and the Python path decides it) go to the Python functions, called
 * exactly as the interpreter's own operator slot would call `__add__` and
 * `__radd__` (same arguments, same frames: the elision's reference counts
 * hold).
 *
 * This file uses only the stable parts of NumPy's C API (array type check,
 * descriptor type number, byte count, scalar to 0-d array).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

typedef struct {
    PyObject_HEAD
    PyObject *array;     /* `_array` */
    PyObject *meta;      /* `_meta` */
    PyObject *weakrefs;  /* `__weakref__` */
} TensorBaseObject;

/* one record per operator */
typedef struct {
    const char *name;       /* the dunder's stem: "add" */
    PyObject *forward;      /* Python forward(self, other) or NULL */
    PyObject *reflected;    /* Python reflected(self, other) or NULL */
    PyObject *ufunc;        /* NULL: no fast path (yet) */
    PyObject *ctx;          /* contextvars.Context ignoring FP errors, or NULL */
    unsigned long long same, floats, ints;   /* masks of NumPy type numbers */
} OpRecord;

enum { OP_ADD, OP_SUB, OP_MUL, OP_TRUEDIV, OP_FLOORDIV, OP_MOD, OP_POW, OP_MATMUL,
       OP_AND, OP_OR, OP_XOR, OP_LSHIFT, OP_RSHIFT,
       /* comparisons, in the order of Python's Py_LT .. Py_GE */
       OP_LT, OP_LE, OP_EQ, OP_NE, OP_GT, OP_GE,
       OP_NEG, OP_POS, OP_ABS, OP_INVERT, N_OPS };

static OpRecord ops[N_OPS] = {
    {"add"}, {"sub"}, {"mul"}, {"truediv"}, {"floordiv"}, {"mod"}, {"pow"},
    {"matmul"}, {"and"}, {"or"}, {"xor"}, {"lshift"}, {"rshift"},
    {"lt"}, {"le"}, {"eq"}, {"ne"}, {"gt"}, {"ge"},
    {"neg"}, {"pos"}, {"abs"}, {"invert"},
};

static PyTypeObject TensorBaseType;
static PyTypeObject *tensor_type = NULL;   /* the exact Python class Tensor */
static npy_intp elide_bytes = 0;            /* from this size on: the Python path */

#define MASK_HAS(mask, num) ((num) >= 0 && (num) < 64 && (((mask) >> (num)) & 1ULL))

/* The fast path: `t` an exact Tensor, `other` the other operand (NULL: a unary
 * operator); `swap`: the Tensor is the right operand (`other op t`, other a
 * Python float/int).
 * Returns a new Tensor, or NULL with an error set (a BaseException that is not an
 * Exception, e.g. KeyboardInterrupt), or NULL without one: not taken. */
static PyObject *
fast_path(OpRecord *op, PyObject *t, PyObject *other, int swap)
{
    PyObject *a = ((TensorBaseObject *)t)->array;
    if (a == NULL || !PyArray_CheckExact(a)) {
        return NULL;
    }
    int num = PyArray_DESCR((PyArrayObject *)a)->type_num;
    PyObject *b = NULL;
    unsigned long long mask;
    if (other == NULL) {   /* a unary operator */
        mask = op->same;
    }
    else if (Py_IS_TYPE(other, tensor_type)) {
        if (swap) {
            return NULL;
        }
        b = ((TensorBaseObject *)other)->array;
        if (b == NULL || !PyArray_CheckExact(b)
                || PyArray_DESCR((PyArrayObject *)b)->type_num != num
                || PyArray_NBYTES((PyArrayObject *)b) >= elide_bytes) {
            return NULL;
        }
        mask = op->same;
    }
    else if (PyFloat_CheckExact(other)) {
        b = other;
        mask = op->floats;
    }
    else if (PyLong_CheckExact(other)) {
        b = other;
        mask = op->ints;
    }
    else {
        return NULL;
    }
    if (!MASK_HAS(mask, num) || PyArray_NBYTES((PyArrayObject *)a) >= elide_bytes) {
        return NULL;
    }
    PyObject *args[2];
    args[0] = swap ? b : a;
    args[1] = swap ? a : b;
    if (op->ctx != NULL && PyContext_Enter(op->ctx) < 0) {
        /* entered already (re-entrant call, or another thread): the Python path */
        PyErr_Clear();
        return NULL;
    }
    PyObject *r = PyObject_Vectorcall(op->ufunc, other == NULL ? &a : args,
                                      other == NULL ? 1 : 2, NULL);
    if (op->ctx != NULL) {
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        if (PyContext_Exit(op->ctx) < 0) {
            Py_XDECREF(r);
            Py_XDECREF(et); Py_XDECREF(ev); Py_XDECREF(tb);
            return NULL;  /* (cannot happen: entered above) */
        }
        PyErr_Restore(et, ev, tb);
    }
    if (r == NULL) {
        if (PyErr_ExceptionMatches(PyExc_Exception)) {
            PyErr_Clear();   /* the general path raises it, with the function's message */
        }
        return NULL;
    }
    if (!PyArray_CheckExact(r)) {
        if (PyArray_IsScalar(r, Generic)) {   /* 0-d operands: NumPy gives a scalar */
            PyObject *r0 = PyArray_FromScalar(r, NULL);
            Py_DECREF(r);
            if (r0 == NULL) {
                if (PyErr_ExceptionMatches(PyExc_Exception)) {
                    PyErr_Clear();
                }
                return NULL;
            }
            r = r0;
        }
        else {
            Py_DECREF(r);
            return NULL;
        }
    }
    PyObject *res = tensor_type->tp_alloc(tensor_type, 0);
    if (res == NULL) {
        Py_DECREF(r);
        return NULL;
    }
    ((TensorBaseObject *)res)->array = r;   /* steals the reference */
    return res;
}

static PyObject *
not_registered(OpRecord *op)
{
    PyErr_Format(PyExc_RuntimeError,
                 "minitensor: the operator __%s__ is not registered", op->name);
    return NULL;
}

static PyObject *
call2(PyObject *f, PyObject *x, PyObject *y)
{
    PyObject *args[2] = {x, y};
    return PyObject_Vectorcall(f, args, 2, NULL);
}

/* `x op y`, as the interpreter's slot for a Python class defining `__op__` and
 * `__rop__` would run it: x.__op__(y) when x is a tensor; then, if that gives
 * NotImplemented and y is a tensor of another class, y.__rop__(x). */
static PyObject *
binary(int i, PyObject *x, PyObject *y)
{
    OpRecord *op = &ops[i];
    PyObject *r;
    int xt = PyObject_TypeCheck(x, &TensorBaseType);
    if (op->ufunc != NULL) {
        if (Py_IS_TYPE(x, tensor_type)) {
            r = fast_path(op, x, y, 0);
            if (r != NULL || PyErr_Occurred()) {
                return r;
            }
        }
        else if (!xt && Py_IS_TYPE(y, tensor_type)
                 && (PyFloat_CheckExact(x) || PyLong_CheckExact(x))) {
            r = fast_path(op, y, x, 1);
            if (r != NULL || PyErr_Occurred()) {
                return r;
            }
        }
    }
    if (op->forward == NULL || op->reflected == NULL) {
        return not_registered(op);
    }
    if (xt) {
        r = call2(op->forward, x, y);
        if (r != Py_NotImplemented || Py_IS_TYPE(y, Py_TYPE(x))
                || !PyObject_TypeCheck(y, &TensorBaseType)) {
            return r;
        }
        Py_DECREF(r);
    }
    if (PyObject_TypeCheck(y, &TensorBaseType)) {
        return call2(op->reflected, y, x);
    }
    Py_RETURN_NOTIMPLEMENTED;
}

#define BINARY_SLOT(fname, index) \
    static PyObject *fname(PyObject *x, PyObject *y) { return binary(index, x, y); }

BINARY_SLOT(tb_add, OP_ADD)
BINARY_SLOT(tb_sub, OP_SUB)
BINARY_SLOT(tb_mul, OP_MUL)
BINARY_SLOT(tb_truediv, OP_TRUEDIV)
BINARY_SLOT(tb_floordiv, OP_FLOORDIV)
BINARY_SLOT(tb_mod, OP_MOD)
BINARY_SLOT(tb_matmul, OP_MATMUL)
BINARY_SLOT(tb_and, OP_AND)
BINARY_SLOT(tb_or, OP_OR)
BINARY_SLOT(tb_xor, OP_XOR)
BINARY_SLOT(tb_lshift, OP_LSHIFT)
BINARY_SLOT(tb_rshift, OP_RSHIFT)

static PyObject *
tb_pow(PyObject *x, PyObject *y, PyObject *z)
{
    if (z != Py_None) {   /* pow(x, y, mod): not supported (TypeError) */
        Py_RETURN_NOTIMPLEMENTED;
    }
    return binary(OP_POW, x, y);
}

/* The operators without a reflected method: comparisons (`y` the other operand;
 * Python's rich comparison calls this with x a tensor and, if it gives
 * NotImplemented, tries the other operand's reflected comparison) and unary
 * operators (`y` NULL). */
static PyObject *
one_sided(OpRecord *op, PyObject *x, PyObject *y)
{
    if (op->ufunc != NULL && Py_IS_TYPE(x, tensor_type)) {
        PyObject *r = fast_path(op, x, y, 0);
        if (r != NULL || PyErr_Occurred()) {
            return r;
        }
    }
    if (op->forward == NULL) {
        return not_registered(op);
    }
    PyObject *args[2] = {x, y};
    return PyObject_Vectorcall(op->forward, args, y == NULL ? 1 : 2, NULL);
}

static PyObject *
tb_richcompare(PyObject *x, PyObject *y, int cmp)
{
    return one_sided(&ops[OP_LT + cmp], x, y);
}

#define UNARY_SLOT(fname, index) \
    static PyObject *fname(PyObject *x) { return one_sided(&ops[index], x, NULL); }

UNARY_SLOT(tb_neg, OP_NEG)
UNARY_SLOT(tb_pos, OP_POS)
UNARY_SLOT(tb_abs, OP_ABS)
UNARY_SLOT(tb_invert, OP_INVERT)

static PyNumberMethods tb_as_number = {
    .nb_negative = tb_neg,
    .nb_positive = tb_pos,
    .nb_absolute = tb_abs,
    .nb_invert = tb_invert,
    .nb_add = tb_add,
    .nb_subtract = tb_sub,
    .nb_multiply = tb_mul,
    .nb_remainder = tb_mod,
    .nb_power = tb_pow,
    .nb_lshift = tb_lshift,
    .nb_rshift = tb_rshift,
    .nb_and = tb_and,
    .nb_xor = tb_xor,
    .nb_or = tb_or,
    .nb_floor_divide = tb_floordiv,
    .nb_true_divide = tb_truediv,
    .nb_matrix_multiply = tb_matmul,
};

static int
tb_traverse(TensorBaseObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->array);
    Py_VISIT(self->meta);
    return 0;
}

static int
tb_clear(TensorBaseObject *self)
{
    Py_CLEAR(self->array);
    Py_CLEAR(self->meta);
    return 0;
}

static void
tb_dealloc(TensorBaseObject *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakrefs != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    tb_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMemberDef tb_members[] = {
    {"_array", T_OBJECT_EX, offsetof(TensorBaseObject, array), 0,
     "the NumPy array holding the tensor's data"},
    {"_meta", T_OBJECT_EX, offsetof(TensorBaseObject, meta), 0,
     "the state of a layer above the core (autograd)"},
    {NULL},
};

static PyTypeObject TensorBaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "minitensor._tensor_base.TensorBase",
    .tp_basicsize = sizeof(TensorBaseObject),
    .tp_dealloc = (destructor)tb_dealloc,
    .tp_as_number = &tb_as_number,
    .tp_richcompare = tb_richcompare,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The storage and operators of minitensor.Tensor (its C base class).",
    .tp_traverse = (traverseproc)tb_traverse,
    .tp_clear = (inquiry)tb_clear,
    .tp_weaklistoffset = offsetof(TensorBaseObject, weakrefs),
    .tp_members = tb_members,
};

static OpRecord *
find_op(PyObject *name)
{
    const char *s = PyUnicode_AsUTF8(name);
    if (s == NULL) {
        return NULL;
    }
    for (int i = 0; i < N_OPS; i++) {
        if (strcmp(s, ops[i].name) == 0) {
            return &ops[i];
        }
    }
    PyErr_Format(PyExc_ValueError, "no operator named %R", name);
    return NULL;
}

static int
dtype_mask(PyObject *dtypes, unsigned long long *mask)
{
    *mask = 0;
    PyObject *it = PyObject_GetIter(dtypes);
    if (it == NULL) {
        return -1;
    }
    PyObject *d;
    while ((d = PyIter_Next(it)) != NULL) {
        if (!PyArray_DescrCheck(d)) {
            Py_DECREF(d);
            Py_DECREF(it);
            PyErr_SetString(PyExc_TypeError, "expected NumPy dtypes");
            return -1;
        }
        int num = ((PyArray_Descr *)d)->type_num;
        Py_DECREF(d);
        if (num >= 0 && num < 64) {
            *mask |= 1ULL << num;
        }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *
set_tensor_type(PyObject *mod, PyObject *args)
{
    PyObject *tp;
    Py_ssize_t nbytes;
    if (!PyArg_ParseTuple(args, "O!n", &PyType_Type, &tp, &nbytes)) {
        return NULL;
    }
    if (!PyType_IsSubtype((PyTypeObject *)tp, &TensorBaseType)) {
        PyErr_SetString(PyExc_TypeError, "the tensor class must derive from TensorBase");
        return NULL;
    }
    Py_INCREF(tp);
    Py_XSETREF(tensor_type, (PyTypeObject *)tp);
    elide_bytes = nbytes;
    Py_RETURN_NONE;
}

static PyObject *
set_operator(PyObject *mod, PyObject *args)
{
    PyObject *name, *forward, *reflected;
    if (!PyArg_ParseTuple(args, "UOO", &name, &forward, &reflected)) {
        return NULL;
    }
    OpRecord *op = find_op(name);
    if (op == NULL) {
        return NULL;
    }
    if ((op - ops < OP_LT) != (reflected != Py_None)) {
        PyErr_Format(PyExc_TypeError, "__%s__: a reflected method is needed for (only) "
                     "the binary operators", op->name);
        return NULL;
    }
    Py_INCREF(forward);
    Py_XSETREF(op->forward, forward);
    Py_XSETREF(op->reflected, reflected == Py_None ? NULL : Py_NewRef(reflected));
    Py_RETURN_NONE;
}

static PyObject *
set_fast(PyObject *mod, PyObject *args)
{
    PyObject *name, *ufunc, *same, *floats, *ints, *ctx;
    if (!PyArg_ParseTuple(args, "UOOOOO", &name, &ufunc, &same, &floats, &ints, &ctx)) {
        return NULL;
    }
    OpRecord *op = find_op(name);
    if (op == NULL) {
        return NULL;
    }
    if (ctx != Py_None && !PyContext_CheckExact(ctx)) {
        PyErr_SetString(PyExc_TypeError, "ctx must be a contextvars.Context or None");
        return NULL;
    }
    unsigned long long m_same, m_floats, m_ints;
    if (dtype_mask(same, &m_same) < 0 || dtype_mask(floats, &m_floats) < 0
            || dtype_mask(ints, &m_ints) < 0) {
        return NULL;
    }
    op->same = m_same;
    op->floats = m_floats;
    op->ints = m_ints;
    Py_XSETREF(op->ctx, ctx == Py_None ? NULL : Py_NewRef(ctx));
    Py_XSETREF(op->ufunc, ufunc == Py_None ? NULL : Py_NewRef(ufunc));
    Py_RETURN_NONE;
}

/* wrap(array): a new Tensor over the ndarray `array` (no copy), without the two
 * Python-level steps `object.__new__(Tensor)` and the slot assignment */
static PyObject *
wrap(PyObject *mod, PyObject *array)
{
    if (!PyArray_Check(array)) {
        PyErr_Format(PyExc_TypeError, "wrap() needs a numpy.ndarray, got %.100s",
                     Py_TYPE(array)->tp_name);
        return NULL;
    }
    if (tensor_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "minitensor: the tensor class is not set");
        return NULL;
    }
    PyObject *res = tensor_type->tp_alloc(tensor_type, 0);
    if (res != NULL) {
        ((TensorBaseObject *)res)->array = Py_NewRef(array);
    }
    return res;
}

static PyMethodDef module_methods[] = {
    {"wrap", wrap, METH_O,
     "wrap(array): a new Tensor over the ndarray `array` (no copy)"},
    {"set_tensor_type", set_tensor_type, METH_VARARGS,
     "set_tensor_type(cls, elide_bytes): the exact class whose instances take the "
     "fast path, and the array size (bytes) from which the Python path runs"},
    {"set_operator", set_operator, METH_VARARGS,
     "set_operator(name, forward, reflected): the Python methods of one operator "
     "(reflected: None for comparisons and unary operators)"},
    {"set_fast", set_fast, METH_VARARGS,
     "set_fast(name, ufunc, same, floats, ints, ctx): one operator's fast path "
     "(ufunc None: off)"},
    {NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "minitensor._tensor_base",
    .m_doc = "The C base class of minitensor.Tensor: storage slots and operators.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__tensor_base(void)
{
    import_array();
    /* object's own allocator, so that `object.__new__(Tensor)` (how the Python
     * side creates tensors without running Tensor.__new__) stays allowed */
    TensorBaseType.tp_new = PyBaseObject_Type.tp_new;
    if (PyType_Ready(&TensorBaseType) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL) {
        return NULL;
    }
    Py_INCREF(&TensorBaseType);
    if (PyModule_AddObject(m, "TensorBase", (PyObject *)&TensorBaseType) < 0) {
        Py_DECREF(&TensorBaseType);
        Py_DECREF(m);
        return NULL;
    }
    PyModule_AddIntConstant(m, "N_OPERATORS", N_OPS);
    return m;
}
