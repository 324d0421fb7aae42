"""Citizens' screens: browsing publicised risk points, subscribing to rounds."""
