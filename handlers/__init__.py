"""aiogram routers, one module per flow, grouped by audience."""
