# Typed for the compiled build (cassalite/compiled.py): the hash in unsigned 64-bit C
# arithmetic, whose wrap-around is the source's ``& MASK``.
import cython

cdef unsigned long long MASK, C1, C2, F1, F2

@cython.locals(x=cython.ulonglong, r=cython.int)
cdef unsigned long long _rotl(unsigned long long x, int r)

@cython.locals(k=cython.ulonglong)
cdef unsigned long long _fmix(unsigned long long k)

@cython.locals(length=cython.Py_ssize_t, nblocks=cython.Py_ssize_t, i=cython.Py_ssize_t,
               h1=cython.ulonglong, h2=cython.ulonglong, k1=cython.ulonglong,
               k2=cython.ulonglong, b=cython.int, signed=cython.ulonglong, tail=bytes)
cpdef unsigned long long _hash_h1(bytes key)
