// Tab completion and history for the swiftnet> prompt, through libedit.
#include "CLineEdit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <editline/readline.h>

static char **words = NULL;
static int word_count = 0;

void sn_le_set_words(const char *const *list, int count) {
    for (int i = 0; i < word_count; i++) free(words[i]);
    free(words);
    words = calloc((size_t)count, sizeof *words);
    word_count = words ? count : 0;
    for (int i = 0; i < word_count; i++) words[i] = strdup(list[i]);
}

// Called repeatedly by rl_completion_matches with state 0, 1, 2...: returns the next
// word starting with `text`, or NULL.
static char *next_word(const char *text, int state) {
    static int index;
    static size_t len;
    if (state == 0) { index = 0; len = strlen(text); }
    while (index < word_count) {
        const char *w = words[index++];
        if (strncmp(w, text, len) == 0) return strdup(w);
    }
    return NULL;
}

static char **complete(const char *text, int start, int end) {
    (void)start; (void)end;
    rl_attempted_completion_over = 1;  // never fall back to file names
    return rl_completion_matches(text, next_word);
}

void sn_le_init(const char *program) {
    rl_readline_name = program;
    rl_catch_signals = 0;
    rl_attempted_completion_function = complete;
    stifle_history(1000);
}

char *sn_le_readline(const char *prompt) { return readline(prompt); }
void sn_le_add_history(const char *line) { add_history(line); }
void sn_le_read_history(const char *path) { read_history(path); }
void sn_le_write_history(const char *path) { write_history(path); }
