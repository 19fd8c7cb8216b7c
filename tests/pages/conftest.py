"""Page tests use the root conftest's PageClient and compiled French catalogue."""
