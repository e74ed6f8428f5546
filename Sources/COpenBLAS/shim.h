/* OpenBLAS is loaded on first use (dlopen in Sources/PaveExecutor/BLAS.swift), not linked: a process that never
   multiplies a matrix never starts OpenBLAS's worker threads. These are the signatures of the few functions used
   (cblas.h and LAPACK's Fortran ABI as shipped in Debian's libopenblas0; CBLAS enums are C ints). */
typedef void (*pave_cblas_sgemm_fn)(int order, int transA, int transB, int m, int n, int k, float alpha,
                                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
typedef int (*pave_openblas_get_num_threads_fn)(void);
typedef void (*pave_openblas_set_num_threads_fn)(int n);
/* LAPACK: single-precision divide-and-conquer SVD. */
typedef void (*pave_sgesdd_fn)(const char *jobz, const int *m, const int *n, float *a, const int *lda, float *s,
                               float *u, const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork,
                               int *iwork, int *info);
