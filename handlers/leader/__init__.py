"""Leaders' (and the commission's) screens: the programme's picture and its documents."""
