"""Official documents as files: the default DOCX templates (built with python-docx), their rendering with docxtpl,
and the conversion to PDF by LibreOffice headless. The content they carry is the pure `domain.documents`."""
