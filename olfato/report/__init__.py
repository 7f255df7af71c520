"""Products of a case: bilingual reports, exports and the partner package.

    from olfato.report.render import render_report
    from olfato.report.make import make_report, make_exports
    from olfato.report.share import build_package, verify_package

Modules: :mod:`~olfato.report.i18n` (catalogues, locale formatting),
:mod:`~olfato.report.figures` (maps and time series), :mod:`~olfato.report.render`
(HTML and PDF), :mod:`~olfato.report.exports` (GeoJSON, KML, CSV),
:mod:`~olfato.report.products` (recording products), :mod:`~olfato.report.make`
(the stage functions), :mod:`~olfato.report.share` (the signed partner package),
:mod:`~olfato.report.catalog` (catalogue upkeep).
"""
