"""The guided application: eligibility, the tailored checklist, text validation and bookings."""
