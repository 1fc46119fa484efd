"""The whole cloud as JSON, out and in: `records` (instances, HA groups, backups, tokens;
the import's staging and installing), `schedules` (schedules, their runs and backup
strategies), `readers` (the field readers both use)."""
