"""Screen parts every flow shares: the pressed message, text steps, pagers, pickers, cards."""
