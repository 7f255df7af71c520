"""Casework: run the stages on an analyst's inputs and record them in a case.

The one place that reads a survey, runs detect and locate (or plan, video, network)
and records the runs, called alike by the command line, the server and batch runs.
Each job is two named steps: a computing step that takes file paths and settings and
returns plain data (it runs in a Dask worker or a server's process pool, with no
database), and a recording step that writes that data into a case in one transaction.

    from olfato.casework.surveys import analyse_survey, record_analysis, add_survey
    analysis = analyse_survey(path, mapping=None, wind=None)   # no database
    added = record_survey_analysis(store, "sonora", analysis)  # one transaction
"""
