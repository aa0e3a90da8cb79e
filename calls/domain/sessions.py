"""Sessions: registration, the waiting list, reminders, attendance."""
