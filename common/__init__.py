"""What every stage shares and no stage owns: the exception base."""
