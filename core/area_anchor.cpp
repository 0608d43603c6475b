// Keeps an area library buildable before it has sources of its own.
