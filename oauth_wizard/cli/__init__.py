"""The scriptable front end: a table of commands, each a module that defines and runs it."""
