"""The 2026 assessment, by subject: the campaign and its deadlines (``campaign``), who fills
which side (``parties``), the common grid and its sides (``grid``), the experimenter's
protocol (``protocol``), the results (``aggregates``) and their charts (``charts``), the
reminders (``reminding``), the pages' services (``filling``), the programme report in PDF
(``report``) and every answer in XLSX (``answers``)."""
