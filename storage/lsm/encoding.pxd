import cython

@cython.locals(n=cython.Py_ssize_t, at=cython.Py_ssize_t, b0=cython.uchar, b1=cython.uchar,
               size=cython.Py_ssize_t, k=cython.Py_ssize_t, ck=bytes)
cpdef Py_ssize_t get_live_rows(bytes buf, Py_ssize_t pos, Py_ssize_t end, object base, object lo,
                               object hi, dict names, Py_ssize_t width, object floor, object rts,
                               object now, list out, object limit) except? -1

@cython.locals(data="const char *", n=cython.Py_ssize_t, p=cython.Py_ssize_t, q=cython.Py_ssize_t,
               row_end=cython.Py_ssize_t, b0=cython.uchar, b1=cython.uchar,
               count=cython.Py_ssize_t, ln=cython.Py_ssize_t, vn=cython.Py_ssize_t,
               head=cython.Py_ssize_t, left=cython.Py_ssize_t, i=cython.Py_ssize_t, ck=bytes,
               values=list)
cpdef tuple _plain_live_rows(bytes buf, Py_ssize_t pos, Py_ssize_t end, object hi, dict names,
                             Py_ssize_t width, list out, object limit)

@cython.locals(start=cython.Py_ssize_t, n=cython.Py_ssize_t, count=cython.Py_ssize_t,
               ln=cython.Py_ssize_t, vn=cython.Py_ssize_t, name_end=cython.Py_ssize_t,
               row_end=cython.Py_ssize_t, q=cython.Py_ssize_t, b0=cython.uchar, b1=cython.uchar,
               cflags=cython.uchar, flags=cython.uchar, marker=cython.Py_ssize_t, live=cython.bint,
               plain_alive=cython.bint, ck=bytes, values=list)
cpdef Py_ssize_t _live_rows(bytes buf, Py_ssize_t pos, Py_ssize_t end, object base, object hi,
                            dict names, Py_ssize_t width, object floor, object rts, object now,
                            list out, object limit) except? -1

@cython.locals(n=cython.Py_ssize_t, pos=cython.Py_ssize_t, size=cython.Py_ssize_t,
               count=cython.Py_ssize_t, cells=cython.Py_ssize_t, c=cython.Py_ssize_t,
               tail=bytes, pieces=list, offsets=list, others=list)
cpdef tuple _put_sorted_rows(bytearray out, list items, object base)
