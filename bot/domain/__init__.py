"""Pure rules: no aiogram, no SQL, no settings; tested on their own."""
