"""Writers: each takes (publication, timeline, config) and makes one kind of output."""
