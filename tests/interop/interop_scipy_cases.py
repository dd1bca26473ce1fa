"""The SciPy calls tests/interop/test_scipy.py checks with minitensor inputs.

One row per call: ``Case(name, func, args, kwargs)``. ``name`` is the public SciPy
name that is verified (listed in docs/interop.md by list_verified.py); ``func``
is the function itself or, for classes and factories (splines, interpolators),
a small wrapper that builds the object and evaluates it; ``args`` hold NumPy
arrays (converted to minitensor for the minitensor call) and Python scalars.
NumPy inputs are the reference: the same call with minitensor inputs must give
minitensor arrays of the same dtype, shape and values.

``dtypes``: the floating dtypes the NumPy arrays of ``args`` are cast to
(integer and boolean arrays are kept). Keep data small: the whole file runs in
a few seconds.
"""
import dataclasses

import numpy as np

_rng = np.random.default_rng(1234)


def _u(*shape, lo=0.0, hi=1.0):
    return _rng.uniform(lo, hi, size=shape)


def _n(*shape):
    return _rng.standard_normal(shape)


@dataclasses.dataclass
class Case:
    name: str                  # public SciPy name, e.g. "scipy.special.erf"
    func: object               # callable(*args, **kwargs)
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    dtypes: tuple = ("float64", "float32")
    rtol: float = None         # default: 1e-10 (float64), 2e-5 (float32)
    atol: float = 0.0
    id: str = None             # pytest id when one name has several rows

    @property
    def module(self):
        return self.name.rsplit(".", 1)[0]


def _scipy_cases():
    import scipy.cluster.hierarchy as hier
    import scipy.cluster.vq as vq
    import scipy.fft as fft
    import scipy.integrate as integrate
    import scipy.interpolate as interp
    import scipy.ndimage as ndi
    import scipy.signal as signal
    import scipy.special as special
    import scipy.stats as stats

    C = Case
    x01 = _u(4, 5, lo=0.05, hi=0.95)
    xpos = _u(4, 5, lo=0.5, hi=4.0)
    xs = _n(4, 5)
    a1 = _u(5, lo=0.5, hi=3.0)
    b1 = _u(5, lo=0.5, hi=3.0)
    s1 = _n(40)
    s2 = _n(40) + 0.3
    s3 = _n(40) - 0.2
    sp = _u(40, lo=0.5, hi=3.0)
    X2 = _n(30, 3)
    img = _u(16, 16)
    sig = _n(64)
    ker = _n(7)
    sos = np.array([[0.0675, 0.1349, 0.0675, 1.0, -1.143, 0.4128],
                    [1.0, 2.0, 1.0, 1.0, -1.5, 0.7]])
    bb, aa = np.array([0.0675, 0.1349, 0.0675]), np.array([1.0, -1.143, 0.4128])
    lab = np.array([[1, 1, 0, 0], [1, 0, 0, 2], [0, 0, 2, 2], [3, 0, 0, 2]])
    binimg = img > 0.5
    xk = np.linspace(0.0, 3.0, 12)
    yk = np.sin(xk)
    xn = np.linspace(0.1, 2.9, 7)
    freqs_t = np.linspace(0.0, 1.0, 32)

    cases = [
        # ------------------------------------------------------------ special
        C("scipy.special.erf", special.erf, (xs,)),
        C("scipy.special.erfc", special.erfc, (xs,)),
        C("scipy.special.erfinv", special.erfinv, (x01 * 2 - 1,)),
        C("scipy.special.erfcx", special.erfcx, (xs,)),
        C("scipy.special.expit", special.expit, (xs,)),
        C("scipy.special.logit", special.logit, (x01,)),
        C("scipy.special.gamma", special.gamma, (xpos,)),
        C("scipy.special.gammaln", special.gammaln, (xpos,)),
        C("scipy.special.loggamma", special.loggamma, (xpos,)),
        C("scipy.special.psi", special.psi, (xpos,)),
        C("scipy.special.polygamma", special.polygamma, (1, xpos)),
        C("scipy.special.gammainc", special.gammainc, (xpos, x01 * 3)),
        C("scipy.special.gammaincc", special.gammaincc, (xpos, x01 * 3)),
        C("scipy.special.betainc", special.betainc, (a1, b1, x01[0])),
        C("scipy.special.betaln", special.betaln, (a1, b1)),
        C("scipy.special.binom", special.binom, (xpos * 3, xpos)),
        C("scipy.special.ndtr", special.ndtr, (xs,)),
        C("scipy.special.ndtri", special.ndtri, (x01,)),
        C("scipy.special.log_ndtr", special.log_ndtr, (xs,)),
        C("scipy.special.i0", special.i0, (xs,)),
        C("scipy.special.i0e", special.i0e, (xs,)),
        C("scipy.special.i1", special.i1, (xs,)),
        C("scipy.special.j0", special.j0, (xs,)),
        C("scipy.special.j1", special.j1, (xs,)),
        C("scipy.special.y0", special.y0, (xpos,)),
        C("scipy.special.k0", special.k0, (xpos,)),
        C("scipy.special.entr", special.entr, (x01,)),
        C("scipy.special.xlogy", special.xlogy, (xs, xpos)),
        C("scipy.special.xlog1py", special.xlog1py, (xs, xpos)),
        C("scipy.special.rel_entr", special.rel_entr, (x01, x01[::-1])),
        C("scipy.special.kl_div", special.kl_div, (x01, x01[::-1])),
        C("scipy.special.zeta", special.zeta, (xpos + 1.0,)),
        C("scipy.special.sinc", special.sinc, (xs,)),
        # Note: float64 only: SciPy's NumPy fallback turns the Python scalar 0.5 into a
        # 0-d float64 array (np.asarray), which promotes float32 data to float64.
        C("scipy.special.boxcox", special.boxcox, (xpos, 0.5), dtypes=("float64",)),
        C("scipy.special.boxcox", special.boxcox, (xpos, np.full(5, 0.5)), id="array-lmbda"),
        C("scipy.special.inv_boxcox", special.inv_boxcox, (xpos, np.full(5, 0.5))),
        C("scipy.special.stdtr", special.stdtr, (xpos, xs)),
        C("scipy.special.chdtr", special.chdtr, (xpos, xpos)),
        C("scipy.special.exp1", special.exp1, (xpos,)),
        C("scipy.special.expi", special.expi, (xs,)),
        C("scipy.special.expn", special.expn, (np.array([1, 2, 3, 1, 2]), xpos)),
        C("scipy.special.exp2", special.exp2, (xs,)),
        C("scipy.special.exp10", special.exp10, (xs,)),
        C("scipy.special.exprel", special.exprel, (xs,)),
        C("scipy.special.cbrt", special.cbrt, (xs,)),
        C("scipy.special.cosm1", special.cosm1, (xs,)),
        C("scipy.special.i1e", special.i1e, (xs,)),
        C("scipy.special.k1", special.k1, (xpos,)),
        C("scipy.special.k0e", special.k0e, (xpos,)),
        C("scipy.special.k1e", special.k1e, (xpos,)),
        C("scipy.special.y1", special.y1, (xpos,)),
        C("scipy.special.spence", special.spence, (xpos,)),
        C("scipy.special.poch", special.poch, (xpos, a1)),
        C("scipy.special.rgamma", special.rgamma, (xs,)),
        C("scipy.special.multigammaln", special.multigammaln, (xpos + 2.0, 2)),
        C("scipy.special.huber", special.huber, (a1, xs)),
        C("scipy.special.pseudo_huber", special.pseudo_huber, (a1, xs)),
        C("scipy.special.ellipk", special.ellipk, (x01,)),
        C("scipy.special.gammaincinv", special.gammaincinv, (xpos, x01)),
        C("scipy.special.gammainccinv", special.gammainccinv, (xpos, x01)),
        C("scipy.special.betaincinv", special.betaincinv, (a1, b1, x01)),
        C("scipy.special.pdtr", special.pdtr, (xpos * 2, xpos)),
        C("scipy.special.stdtrit", special.stdtrit, (xpos, x01)),
        C("scipy.special.chdtrc", special.chdtrc, (xpos, xpos)),
        C("scipy.special.fdtr", special.fdtr, (xpos, xpos[::-1], xpos)),
        C("scipy.special.logsumexp", special.logsumexp, (xs,)),
        C("scipy.special.logsumexp", special.logsumexp, (xs,), dict(axis=1), id="axis"),
        C("scipy.special.logsumexp", special.logsumexp, (xs,),
          dict(axis=0, b=x01, return_sign=True), id="b-sign"),
        C("scipy.special.softmax", special.softmax, (xs,), dict(axis=1)),
        C("scipy.special.log_softmax", special.log_softmax, (xs,), dict(axis=0)),
        # -------------------------------------------------------------- stats
        C("scipy.stats.zscore", stats.zscore, (xs,)),
        C("scipy.stats.zscore", stats.zscore, (xs,), dict(axis=1, ddof=1), id="axis1"),
        C("scipy.stats.zmap", stats.zmap, (xs, xs[:2])),
        C("scipy.stats.gzscore", stats.gzscore, (xpos,)),
        C("scipy.stats.moment", stats.moment, (xs,), dict(order=3)),
        C("scipy.stats.skew", stats.skew, (xs,)),
        C("scipy.stats.kurtosis", stats.kurtosis, (xs,), dict(axis=1)),
        C("scipy.stats.describe", stats.describe, (xs,)),
        C("scipy.stats.gmean", stats.gmean, (xpos,)),
        C("scipy.stats.hmean", stats.hmean, (xpos,)),
        C("scipy.stats.pmean", stats.pmean, (xpos, 2.5)),
        C("scipy.stats.gstd", stats.gstd, (xpos,)),
        C("scipy.stats.sem", stats.sem, (xs,)),
        C("scipy.stats.variation", stats.variation, (xpos,)),
        C("scipy.stats.tmean", stats.tmean, (s1, (-1.0, 1.0))),
        C("scipy.stats.tvar", stats.tvar, (s1, (-1.0, 1.0))),
        C("scipy.stats.tstd", stats.tstd, (s1,)),
        C("scipy.stats.tsem", stats.tsem, (s1,)),
        C("scipy.stats.tmin", stats.tmin, (s1, -1.0)),
        C("scipy.stats.tmax", stats.tmax, (s1, 1.0)),
        C("scipy.stats.trim_mean", stats.trim_mean, (xs, 0.1)),
        C("scipy.stats.iqr", stats.iqr, (s1,)),
        C("scipy.stats.median_abs_deviation", stats.median_abs_deviation, (xs,)),
        C("scipy.stats.entropy", stats.entropy, (x01,)),
        C("scipy.stats.entropy", stats.entropy, (x01, x01[::-1]), id="kl"),
        C("scipy.stats.differential_entropy", stats.differential_entropy, (s1,)),
        C("scipy.stats.kstat", stats.kstat, (s1, 3)),
        C("scipy.stats.kstatvar", stats.kstatvar, (s1,)),
        C("scipy.stats.lmoment", stats.lmoment, (s1,)),
        C("scipy.stats.quantile", stats.quantile, (s1, np.array([0.1, 0.5, 0.9]))),
        C("scipy.stats.rankdata", stats.rankdata, (np.round(xs, 1),)),
        C("scipy.stats.mode", stats.mode, (np.round(xs),)),
        C("scipy.stats.circmean", stats.circmean, (xs,)),
        C("scipy.stats.circvar", stats.circvar, (xs,)),
        C("scipy.stats.circstd", stats.circstd, (xs,)),
        C("scipy.stats.directional_stats", stats.directional_stats, (X2,)),
        C("scipy.stats.sigmaclip", stats.sigmaclip, (s1,)),
        C("scipy.stats.boxcox_llf", stats.boxcox_llf, (0.5, sp)),
        C("scipy.stats.yeojohnson_llf", stats.yeojohnson_llf, (0.5, s1)),
        C("scipy.stats.ttest_1samp", stats.ttest_1samp, (s1, 0.1)),
        C("scipy.stats.ttest_ind", stats.ttest_ind, (s1, s2)),
        C("scipy.stats.ttest_ind", stats.ttest_ind, (s1, s2), dict(equal_var=False),
          id="welch"),
        C("scipy.stats.ttest_rel", stats.ttest_rel, (s1, s2)),
        C("scipy.stats.ttest_ind_from_stats", stats.ttest_ind_from_stats,
          (a1, b1, np.full(5, 10.0), b1, a1, np.full(5, 12.0))),
        C("scipy.stats.pearsonr", stats.pearsonr, (s1, s2 + s1)),
        C("scipy.stats.spearmanrho", stats.spearmanrho, (s1, s2 + s1)),
        C("scipy.stats.chatterjeexi", stats.chatterjeexi, (s1, s2 + s1)),
        C("scipy.stats.skewtest", stats.skewtest, (s1,)),
        C("scipy.stats.kurtosistest", stats.kurtosistest, (s1,)),
        C("scipy.stats.normaltest", stats.normaltest, (s1,)),
        C("scipy.stats.jarque_bera", stats.jarque_bera, (s1,)),
        C("scipy.stats.f_oneway", stats.f_oneway, (s1, s2, s3)),
        C("scipy.stats.alexandergovern", stats.alexandergovern, (s1, s2, s3)),
        C("scipy.stats.kruskal", stats.kruskal, (s1, s2, s3)),
        C("scipy.stats.friedmanchisquare", stats.friedmanchisquare, (s1, s2, s3)),
        C("scipy.stats.bartlett", stats.bartlett, (s1, s2, s3)),
        C("scipy.stats.levene", stats.levene, (s1, s2, s3)),
        C("scipy.stats.fligner", stats.fligner, (s1, s2, s3)),
        C("scipy.stats.ansari", stats.ansari, (s1, s2)),
        C("scipy.stats.mood", stats.mood, (s1, s2)),
        C("scipy.stats.brunnermunzel", stats.brunnermunzel, (s1, s2)),
        C("scipy.stats.mannwhitneyu", stats.mannwhitneyu, (s1, s2)),
        C("scipy.stats.wilcoxon", stats.wilcoxon, (s1 - s2,)),
        C("scipy.stats.cramervonmises_2samp", stats.cramervonmises_2samp, (s1, s2)),
        C("scipy.stats.epps_singleton_2samp", stats.epps_singleton_2samp, (s1, s2)),
        C("scipy.stats.chisquare", stats.chisquare, (sp * 10, np.full(40, sp.mean() * 10))),
        C("scipy.stats.power_divergence", stats.power_divergence, (sp * 10,),
          dict(lambda_="log-likelihood")),
        C("scipy.stats.combine_pvalues", stats.combine_pvalues, (x01[0],)),
        C("scipy.stats.bootstrap", _bootstrap, (s1,)),
        C("scipy.stats.permutation_test", _permutation_test, (s1[:10], s2[:10])),
        C("scipy.stats.monte_carlo_test", _monte_carlo_test, (s1,)),
        C("scipy.stats.false_discovery_control", stats.false_discovery_control, (x01[0],)),
        # ------------------------------------------------------------- signal
        C("scipy.signal.convolve", signal.convolve, (sig, ker)),
        C("scipy.signal.convolve", signal.convolve, (img, img[:3, :3]),
          dict(mode="same"), id="2d-same"),
        C("scipy.signal.fftconvolve", signal.fftconvolve, (sig, ker)),
        C("scipy.signal.fftconvolve", signal.fftconvolve, (img, img[:4, :3]),
          dict(mode="valid"), id="2d-valid"),
        C("scipy.signal.oaconvolve", signal.oaconvolve, (sig, ker)),
        C("scipy.signal.correlate", signal.correlate, (sig, ker)),
        C("scipy.signal.convolve2d", signal.convolve2d, (img, img[:3, :3])),
        C("scipy.signal.correlate2d", signal.correlate2d, (img, img[:3, :3])),
        C("scipy.signal.choose_conv_method", signal.choose_conv_method, (sig, ker)),
        C("scipy.signal.lfilter", signal.lfilter, (bb, aa, sig)),
        C("scipy.signal.lfilter_zi", signal.lfilter_zi, (bb, aa)),
        C("scipy.signal.filtfilt", signal.filtfilt, (bb, aa, sig)),
        C("scipy.signal.sosfilt", signal.sosfilt, (sos, sig)),
        C("scipy.signal.sosfiltfilt", signal.sosfiltfilt, (sos, sig)),
        C("scipy.signal.sosfilt_zi", signal.sosfilt_zi, (sos,)),
        C("scipy.signal.freqz", signal.freqz, (bb, aa), dict(worN=16)),
        C("scipy.signal.sosfreqz", signal.sosfreqz, (sos,), dict(worN=16)),
        C("scipy.signal.group_delay", signal.group_delay, ((bb, aa),), dict(w=16)),
        C("scipy.signal.tf2zpk", signal.tf2zpk, (bb, aa)),
        C("scipy.signal.zpk2tf", signal.zpk2tf,
          (np.array([-1.0, -1.0]), np.array([0.5, 0.6]), 0.1)),
        C("scipy.signal.sos2tf", signal.sos2tf, (sos,)),
        C("scipy.signal.bilinear", signal.bilinear, (bb, aa)),
        C("scipy.signal.hilbert", signal.hilbert, (sig,)),
        C("scipy.signal.envelope", signal.envelope, (sig,)),
        C("scipy.signal.detrend", signal.detrend, (sig + np.arange(64.0),)),
        C("scipy.signal.resample", signal.resample, (sig, 48)),
        C("scipy.signal.resample_poly", signal.resample_poly, (sig, 3, 2)),
        C("scipy.signal.upfirdn", signal.upfirdn, (ker, sig, 2, 3)),
        C("scipy.signal.savgol_filter", signal.savgol_filter, (sig, 7, 2), atol=1e-6),
        C("scipy.signal.medfilt", signal.medfilt, (sig, 5)),
        C("scipy.signal.medfilt2d", signal.medfilt2d, (img, 3)),
        C("scipy.signal.wiener", signal.wiener, (img,)),
        C("scipy.signal.deconvolve", signal.deconvolve,
          (np.convolve(sig[:16], np.array([1.0, 0.5])), np.array([1.0, 0.5]))),
        C("scipy.signal.cspline1d", signal.cspline1d, (sig,)),
        C("scipy.signal.cspline1d_eval", signal.cspline1d_eval,
          (sig[:16], np.linspace(0.0, 15.0, 23))),
        C("scipy.signal.qspline1d", signal.qspline1d, (sig,)),
        # lmbda=0.5: with the default 5.0, SciPy's boundary sum does not converge on a
        # 16x16 image for NumPy inputs either
        C("scipy.signal.spline_filter", signal.spline_filter, (img,), dict(lmbda=0.5)),
        C("scipy.signal.order_filter", signal.order_filter, (img, np.ones((3, 3)), 4)),
        C("scipy.signal.hilbert2", signal.hilbert2, (img,)),
        C("scipy.signal.lfiltic", signal.lfiltic, (bb, aa, sig[:2], sig[2:4])),
        C("scipy.signal.lp2lp", signal.lp2lp, (bb, aa, 2.0)),
        C("scipy.signal.lp2hp", signal.lp2hp, (bb, aa, 2.0)),
        C("scipy.signal.normalize", signal.normalize, (bb * 2.0, aa * 2.0)),
        C("scipy.signal.sos2zpk", signal.sos2zpk, (sos,)),
        C("scipy.signal.freqz_sos", signal.freqz_sos, (sos,), dict(worN=16)),
        # not scipy.signal.minimum_phase: its default method reads the non-standard
        # ``.real`` attribute (array_api_strict fails the same way); see docs/interop.md
        C("scipy.signal.gauss_spline", signal.gauss_spline, (xs, 3)),
        C("scipy.signal.vectorstrength", signal.vectorstrength, (freqs_t, 0.25)),
        # ---------------------------------------------------------------- fft
        C("scipy.fft.fft", fft.fft, (sig,)),
        C("scipy.fft.ifft", fft.ifft, (sig,), dict(n=80, norm="ortho")),
        C("scipy.fft.rfft", fft.rfft, (xs,), dict(axis=0)),
        C("scipy.fft.irfft", fft.irfft, (sig,)),
        C("scipy.fft.fft2", fft.fft2, (img,)),
        C("scipy.fft.ifftn", fft.ifftn, (img,)),
        C("scipy.fft.rfftn", fft.rfftn, (img,)),
        C("scipy.fft.irfftn", fft.irfftn, (img,)),
        C("scipy.fft.hfft", fft.hfft, (sig,)),
        C("scipy.fft.ihfft", fft.ihfft, (sig,)),
        C("scipy.fft.fftshift", fft.fftshift, (sig,)),
        C("scipy.fft.ifftshift", fft.ifftshift, (img,)),
        C("scipy.fft.dct", fft.dct, (sig,)),
        C("scipy.fft.idct", fft.idct, (sig,), dict(type=3)),
        C("scipy.fft.dst", fft.dst, (sig,)),
        C("scipy.fft.dctn", fft.dctn, (img,)),
        C("scipy.fft.fht", fft.fht, (sp, 0.1, 0.0)),
        # float32: SciPy's two paths round differently near the zero crossings
        C("scipy.fft.ifht", fft.ifht, (sp, 0.1, 0.0), atol=1e-5),
        C("scipy.fft.fftn", fft.fftn, (img,), dict(axes=(0,))),
        C("scipy.fft.ifft2", fft.ifft2, (img,), dict(norm="forward")),
        C("scipy.fft.rfft2", fft.rfft2, (img,)),
        C("scipy.fft.irfft2", fft.irfft2, (img,), dict(s=(16, 14))),
        C("scipy.fft.ihfft2", fft.ihfft2, (img,)),
        C("scipy.fft.idst", fft.idst, (sig,), dict(type=2)),
        C("scipy.fft.idctn", fft.idctn, (img,)),
        C("scipy.fft.dstn", fft.dstn, (img,), dict(type=1)),
        C("scipy.fft.idstn", fft.idstn, (img,)),
        # ------------------------------------------------------------ cluster
        C("scipy.cluster.vq.whiten", vq.whiten, (X2,)),
        C("scipy.cluster.vq.vq", vq.vq, (X2, X2[:3])),
        C("scipy.cluster.vq.kmeans", vq.kmeans, (X2, X2[:3])),
        C("scipy.cluster.vq.kmeans2", vq.kmeans2, (X2, X2[:3]), dict(minit="matrix")),
        C("scipy.cluster.hierarchy.linkage", hier.linkage, (X2,), dict(method="average")),
        C("scipy.cluster.hierarchy.ward", hier.ward, (X2,)),
        C("scipy.cluster.hierarchy.single", hier.single, (X2,)),
        C("scipy.cluster.hierarchy.fcluster", _fcluster, (X2,)),
        C("scipy.cluster.hierarchy.cophenet", _cophenet, (X2,)),
        C("scipy.cluster.hierarchy.leaves_list", _leaves_list, (X2,)),
        C("scipy.cluster.hierarchy.inconsistent", _inconsistent, (X2,)),
        # ------------------------------------------------------------ ndimage
        C("scipy.ndimage.gaussian_filter", ndi.gaussian_filter, (img, 1.5)),
        C("scipy.ndimage.gaussian_filter1d", ndi.gaussian_filter1d, (sig, 2.0)),
        C("scipy.ndimage.uniform_filter", ndi.uniform_filter, (img, 3)),
        C("scipy.ndimage.median_filter", ndi.median_filter, (img, 3)),
        C("scipy.ndimage.maximum_filter", ndi.maximum_filter, (img, 3)),
        C("scipy.ndimage.minimum_filter", ndi.minimum_filter, (img, 3)),
        C("scipy.ndimage.percentile_filter", ndi.percentile_filter, (img, 30, 3)),
        C("scipy.ndimage.sobel", ndi.sobel, (img,)),
        C("scipy.ndimage.prewitt", ndi.prewitt, (img,)),
        C("scipy.ndimage.laplace", ndi.laplace, (img,)),
        C("scipy.ndimage.gaussian_gradient_magnitude", ndi.gaussian_gradient_magnitude,
          (img, 1.0)),
        C("scipy.ndimage.convolve", ndi.convolve, (img, img[:3, :3])),
        C("scipy.ndimage.correlate1d", ndi.correlate1d, (sig, ker)),
        C("scipy.ndimage.correlate", ndi.correlate, (img, img[:3, :3]), dict(mode="wrap")),
        C("scipy.ndimage.convolve1d", ndi.convolve1d, (img, ker), dict(axis=0)),
        C("scipy.ndimage.uniform_filter1d", ndi.uniform_filter1d, (sig, 5)),
        C("scipy.ndimage.maximum_filter1d", ndi.maximum_filter1d, (sig, 5)),
        C("scipy.ndimage.minimum_filter1d", ndi.minimum_filter1d, (sig, 5)),
        C("scipy.ndimage.rank_filter", ndi.rank_filter, (img, 2, 3)),
        C("scipy.ndimage.gaussian_laplace", ndi.gaussian_laplace, (img, 1.0)),
        C("scipy.ndimage.spline_filter1d", ndi.spline_filter1d, (img,)),
        C("scipy.ndimage.fourier_shift", ndi.fourier_shift, (img, 2.0)),
        C("scipy.ndimage.fourier_uniform", ndi.fourier_uniform, (img, 3.0)),
        C("scipy.ndimage.grey_dilation", ndi.grey_dilation, (img,), dict(size=(3, 3))),
        C("scipy.ndimage.grey_opening", ndi.grey_opening, (img,), dict(size=(3, 3))),
        C("scipy.ndimage.grey_closing", ndi.grey_closing, (img,), dict(size=(3, 3))),
        C("scipy.ndimage.white_tophat", ndi.white_tophat, (img,), dict(size=(3, 3))),
        C("scipy.ndimage.black_tophat", ndi.black_tophat, (img,), dict(size=(3, 3))),
        C("scipy.ndimage.binary_closing", ndi.binary_closing, (binimg,), dtypes=("float64",)),
        C("scipy.ndimage.sum", ndi.sum, (img[:4, :4], lab, np.array([1, 2, 3]))),
        C("scipy.ndimage.maximum", ndi.maximum, (img[:4, :4], lab, np.array([1, 2, 3]))),
        C("scipy.ndimage.minimum", ndi.minimum, (img[:4, :4], lab, np.array([1, 2, 3]))),
        C("scipy.ndimage.median", ndi.median, (img[:4, :4], lab, np.array([1, 2, 3]))),
        C("scipy.ndimage.standard_deviation", ndi.standard_deviation,
          (img[:4, :4], lab, np.array([1, 2]))),
        C("scipy.ndimage.maximum_position", ndi.maximum_position, (img,)),
        C("scipy.ndimage.minimum_position", ndi.minimum_position, (img,)),
        C("scipy.ndimage.zoom", ndi.zoom, (img, 1.5)),
        C("scipy.ndimage.shift", ndi.shift, (img, (1.5, -0.5))),
        C("scipy.ndimage.rotate", ndi.rotate, (img, 30.0)),
        C("scipy.ndimage.map_coordinates", ndi.map_coordinates,
          (img, np.array([[0.5, 2.0, 3.5], [1.0, 5.5, 7.0]]))),
        C("scipy.ndimage.affine_transform", ndi.affine_transform,
          (img, np.array([[1.0, 0.1], [0.0, 0.9]]))),
        C("scipy.ndimage.spline_filter", ndi.spline_filter, (img,)),
        C("scipy.ndimage.fourier_gaussian", ndi.fourier_gaussian, (img, 1.0)),
        C("scipy.ndimage.label", ndi.label, (binimg,), dtypes=("float64",)),
        C("scipy.ndimage.center_of_mass", ndi.center_of_mass, (img[:4, :4], lab, np.array([1, 2, 3]))),
        C("scipy.ndimage.sum_labels", ndi.sum_labels, (img[:4, :4], lab, np.array([1, 2]))),
        C("scipy.ndimage.mean", ndi.mean, (img[:4, :4], lab, np.array([1, 2, 3]))),
        C("scipy.ndimage.variance", ndi.variance, (img[:4, :4], lab, np.array([1, 2]))),
        C("scipy.ndimage.extrema", ndi.extrema, (img,)),
        C("scipy.ndimage.histogram", ndi.histogram, (img, 0.0, 1.0, 5)),
        C("scipy.ndimage.binary_erosion", ndi.binary_erosion, (binimg,), dtypes=("float64",)),
        C("scipy.ndimage.binary_dilation", ndi.binary_dilation, (binimg,), dtypes=("float64",)),
        C("scipy.ndimage.binary_opening", ndi.binary_opening, (binimg,), dtypes=("float64",)),
        C("scipy.ndimage.binary_fill_holes", ndi.binary_fill_holes, (binimg,),
          dtypes=("float64",)),
        C("scipy.ndimage.grey_erosion", ndi.grey_erosion, (img,), dict(size=(3, 3))),
        C("scipy.ndimage.morphological_gradient", ndi.morphological_gradient, (img,),
          dict(size=(3, 3))),
        C("scipy.ndimage.distance_transform_edt", ndi.distance_transform_edt, (binimg,),
          dtypes=("float64",)),
        C("scipy.ndimage.vectorized_filter", ndi.vectorized_filter, (img, _np_mean_axes),
          dict(size=3)),
        # ---------------------------------------------------------- integrate
        C("scipy.integrate.trapezoid", integrate.trapezoid, (xs,), dict(axis=1)),
        C("scipy.integrate.trapezoid", integrate.trapezoid, (yk, xk), id="x"),
        C("scipy.integrate.cumulative_trapezoid", integrate.cumulative_trapezoid, (yk, xk),
          dict(initial=0)),
        C("scipy.integrate.cumulative_simpson", integrate.cumulative_simpson, (yk,),
          dict(x=xk)),
        C("scipy.integrate.romb", integrate.romb, (sig[:17],), dict(dx=0.5)),
        C("scipy.integrate.cubature", _cubature, (a1[:2], b1[:2] + 1.0)),
        C("scipy.integrate.tanhsinh", _tanhsinh, (a1, b1 + 1.0), rtol=1e-8),
        C("scipy.integrate.tanhsinh", _tanhsinh_log, (b1 + 1.0, a1), rtol=1e-8,
          id="log-reversed"),
        C("scipy.integrate.nsum", _nsum, (a1 + 1.0,), rtol=1e-8),
        C("scipy.integrate.qmc_quad", _qmc_quad, (a1[:2], b1[:2] + 1.0)),
        # -------------------------------------------------------- interpolate
        C("scipy.interpolate.make_interp_spline", _make_interp_spline, (xk, yk, xn)),
        C("scipy.interpolate.make_lsq_spline", _make_lsq_spline, (xk, yk, xn)),
        C("scipy.interpolate.make_smoothing_spline", _make_smoothing_spline, (xk, yk, xn)),
        C("scipy.interpolate.make_splrep", _make_splrep, (xk, yk, xn)),
        C("scipy.interpolate.generate_knots", _generate_knots, (xk, yk)),
        C("scipy.interpolate.BSpline", _bspline, (xk, xn)),
        C("scipy.interpolate.CubicSpline", _cubic_spline, (xk, yk, xn)),
        C("scipy.interpolate.PchipInterpolator", _pchip, (xk, yk, xn)),
        C("scipy.interpolate.CubicHermiteSpline", _cubic_hermite, (xk, yk, xn)),
        C("scipy.interpolate.PPoly", _ppoly, (xk, xn)),
        C("scipy.interpolate.RegularGridInterpolator", _rgi, (xk, xk[:5], xs[:, :4], xn)),
        C("scipy.interpolate.RBFInterpolator", _rbf, (X2[:12], s1[:12], X2[12:16]),
          rtol=1e-8),
    ]
    return cases


# Wrappers for classes and multi-step calls (they only chain public SciPy calls).
def _np_mean_axes(x, axis):
    import array_api_compat
    xp = array_api_compat.array_namespace(x)
    return xp.mean(x, axis=axis)


def _fcluster(X):
    import scipy.cluster.hierarchy as h
    return h.fcluster(h.linkage(X, "ward"), 3, criterion="maxclust")


def _cophenet(X):
    import scipy.cluster.hierarchy as h
    return h.cophenet(h.linkage(X, "complete"))


def _leaves_list(X):
    import scipy.cluster.hierarchy as h
    return h.leaves_list(h.linkage(X, "single"))


def _inconsistent(X):
    import scipy.cluster.hierarchy as h
    return h.inconsistent(h.linkage(X, "average"))


def _cubature(a, b):
    from scipy.integrate import cubature
    import array_api_compat
    xp = array_api_compat.array_namespace(a)
    r = cubature(lambda x: xp.exp(-xp.sum(x * x, axis=-1)), a, b)
    return r.estimate, r.error


def _tanhsinh(a, b):
    from scipy.integrate import tanhsinh
    import array_api_compat
    xp = array_api_compat.array_namespace(a)
    r = tanhsinh(lambda x: xp.exp(-x * x), a, b)
    return r.integral, r.error, r.success, r.nfev


def _tanhsinh_log(a, b):
    # log-integrand with reversed limits: the result is complex (log of a negative)
    from scipy.integrate import tanhsinh
    r = tanhsinh(lambda x: -x * x, a, b, log=True)
    return r.integral, r.success


def _nsum(c):
    from scipy.integrate import nsum
    import array_api_compat
    xp = array_api_compat.array_namespace(c)
    r = nsum(lambda k, c: 1.0 / k**c, xp.ones_like(c), xp.inf, args=(c + 1.0,))
    return r.sum, r.success


def _qmc_quad(a, b):
    from scipy.integrate import qmc_quad
    import array_api_compat
    xp = array_api_compat.array_namespace(a)
    from scipy.stats import qmc
    r = qmc_quad(lambda x: xp.exp(-xp.sum(x * x, axis=0)), a, b, n_points=64,
                 qrng=qmc.Halton(a.shape[0], seed=0))
    return r.integral, r.standard_error


def _rbf(x, y, xn):
    from scipy.interpolate import RBFInterpolator
    return RBFInterpolator(x, y, kernel="thin_plate_spline", smoothing=0.1)(xn)


def _bootstrap(x):
    from scipy import stats
    import array_api_compat
    xp = array_api_compat.array_namespace(x)
    r = stats.bootstrap((x,), lambda s, axis: xp.mean(s, axis=axis), n_resamples=99,
                        rng=np.random.default_rng(0))
    return r.confidence_interval, r.standard_error


def _permutation_test(x, y):
    from scipy import stats
    import array_api_compat
    xp = array_api_compat.array_namespace(x)
    r = stats.permutation_test(
        (x, y), lambda a, b, axis: xp.mean(a, axis=axis) - xp.mean(b, axis=axis),
        n_resamples=99, rng=np.random.default_rng(0))
    return r.statistic, r.pvalue


def _monte_carlo_test(x):
    from scipy import stats
    r = stats.monte_carlo_test(x, np.random.default_rng(0).standard_normal, stats.skew,
                               n_resamples=99)
    return r.statistic, r.pvalue


def _make_interp_spline(x, y, xn):
    from scipy.interpolate import make_interp_spline
    spl = make_interp_spline(x, y, k=3)
    return spl(xn), spl.c, spl.t


def _make_lsq_spline(x, y, xn):
    from scipy.interpolate import make_lsq_spline
    import array_api_compat
    xp = array_api_compat.array_namespace(x)
    t = xp.concat([xp.full(3, x[0]), x[:-1:3], xp.full(4, x[-1])])
    spl = make_lsq_spline(x, y, t, k=3)
    return spl(xn), spl.c


def _make_smoothing_spline(x, y, xn):
    from scipy.interpolate import make_smoothing_spline
    return make_smoothing_spline(x, y, lam=0.1)(xn)


def _make_splrep(x, y, xn):
    from scipy.interpolate import make_splrep
    return make_splrep(x, y, s=0.05)(xn)


def _generate_knots(x, y):
    from scipy.interpolate import generate_knots
    return list(generate_knots(x, y, s=0.05))[-1]


def _bspline(x, xn):
    from scipy.interpolate import BSpline
    import array_api_compat
    xp = array_api_compat.array_namespace(x)
    c = xp.sin(x[:-4])
    spl = BSpline(x, c, 3)
    return spl(xn), spl.derivative()(xn), spl.integrate(x[3], x[-4])


def _cubic_spline(x, y, xn):
    from scipy.interpolate import CubicSpline
    cs = CubicSpline(x, y)
    return cs(xn), cs(xn, 1), cs.c


def _pchip(x, y, xn):
    from scipy.interpolate import PchipInterpolator
    return PchipInterpolator(x, y)(xn)


def _cubic_hermite(x, y, xn):
    from scipy.interpolate import CubicHermiteSpline
    import array_api_compat
    xp = array_api_compat.array_namespace(x)
    return CubicHermiteSpline(x, y, xp.cos(x))(xn)


def _ppoly(x, xn):
    from scipy.interpolate import PPoly
    import array_api_compat
    xp = array_api_compat.array_namespace(x)
    c = xp.stack([xp.sin(x[:-1]), xp.cos(x[:-1]), x[:-1] * 0.5])
    p = PPoly(c, x)
    return p(xn), p.derivative()(xn), p.antiderivative()(xn)


def _rgi(x, y, values, xn):
    from scipy.interpolate import RegularGridInterpolator
    import array_api_compat
    xp = array_api_compat.array_namespace(x)
    rgi = RegularGridInterpolator((x[:4], y[:4]), values[:4, :4])
    pts = xp.stack([xn[:4] / 3, xn[:4] / 4 + 0.1], axis=-1)
    return rgi(pts)


def scipy_cases():
    """All rows (imports SciPy)."""
    return _scipy_cases()
