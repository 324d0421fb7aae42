"""Reports as documents: the one-page PDF and the XLSX workbook of /report and the CLI."""
