#ifndef SWIFTNET_CLINEEDIT_H
#define SWIFTNET_CLINEEDIT_H

/// Line editing for the interactive shell, over libedit's readline interface.

/// Sets up libedit (no signal handling of its own; the shell owns SIGINT).
void sn_le_init(const char *program);

/// Replaces the words offered by tab completion (commands and node names).
void sn_le_set_words(const char *const *words, int count);

/// Reads a line with editing; returns a malloc'ed string (free it) or NULL at end of input.
char *sn_le_readline(const char *prompt);

/// History: add a line, load and save a file (errors are ignored: history is a comfort).
void sn_le_add_history(const char *line);
void sn_le_read_history(const char *path);
void sn_le_write_history(const char *path);

#endif
