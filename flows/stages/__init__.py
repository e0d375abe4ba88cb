"""Pure pipeline stages: read, clean, detect, validate, load. None of them imports prefect."""
