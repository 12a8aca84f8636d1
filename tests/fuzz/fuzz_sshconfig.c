/*
 * Fuzz target for sshconfig_load, sshconfig_resolve and import_write: the
 * input is an ssh_config. Besides the sanitizers, it checks that every
 * error is one "FILE:LINE: message" or "FILE: message" line of printable
 * ASCII, and that a written INI is what jumpgate's reader takes: lines of
 * at most 198 printable ASCII characters, each blank, a comment, a section
 * header or "key = value". Inputs with an Include are skipped: an absolute
 * glob would walk the machine's file system (the unit tests cover it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_file.h"
#include "import.h"
#include "sshconfig.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Report a broken contract and stop: libFuzzer keeps the input. */
static void
fuzz_sshconfig_fail(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_sshconfig: %s: %s\n", what, text);
	abort();
}

/* Check that TEXT is lines of printable ASCII, each at most MAX long. */
static void
fuzz_sshconfig_lines(const char *text, size_t max, int ini)
{
	const char	*line, *end, *s;

	for (line = text; *line != '\0'; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL)
			fuzz_sshconfig_fail("unterminated line", line);
		if ((size_t)(end - line) > max)
			fuzz_sshconfig_fail("line too long", line);
		for (s = line; s < end; s++) {
			if ((unsigned char)*s < 0x20 ||
			    (unsigned char)*s >= 0x7f)
				fuzz_sshconfig_fail("unprintable byte", line);
		}
		if (!ini) {
			if (*line != '/' && strncmp(line, "command line",
			    12) != 0 && strncmp(line, "jumpgate import:",
			    16) != 0)
				fuzz_sshconfig_fail("error without a file",
				    line);
			continue;
		}
		if (line == end || *line == ';')
			continue;
		if (*line == '[') {
			if (end[-1] != ']' || (strncmp(line, "[hop ", 5) != 0 &&
			    strncmp(line, "[tunnel ", 8) != 0))
				fuzz_sshconfig_fail("bad section", line);
			continue;
		}
		s = memchr(line, '=', (size_t)(end - line));
		if (s == NULL || s == line || s[-1] != ' ' || s + 2 > end ||
		    s[1] != ' ' || s + 2 == end || end[-1] == ' ')
			fuzz_sshconfig_fail("not key = value", line);
	}
}

/* Make the scratch file and point HOME at its directory. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_file_init("config");
	setenv("HOME", "/nonexistent-fuzz-home", 1);
	return 0;
}

/* Load, resolve and import three hosts; check what comes out. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char		*hosts[] = { "db", "jump1", "x" };
	struct sshconfig	*c;
	const struct sshconfig	*cc;
	char			*copy, *err = NULL, *out = NULL;
	size_t			 elen = 0, olen = 0;
	FILE			*fe, *fo;
	int			 nerrors = 0, written = 0;

	copy = malloc(len + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, len);
	copy[len] = '\0';
	for (size_t i = 0; i < len; i++)
		copy[i] = (char)(copy[i] >= 'A' && copy[i] <= 'Z' ?
		    copy[i] + 32 : copy[i]);
	if (strstr(copy, "include") != NULL) {
		free(copy);
		return 0;
	}
	free(copy);

	fuzz_file_write(data, len);
	if ((fe = open_memstream(&err, &elen)) == NULL ||
	    (fo = open_memstream(&out, &olen)) == NULL)
		abort();
	c = sshconfig_load(fuzz_file_path(), "/nonexistent-fuzz-home/.ssh",
	    fe, &nerrors);
	if (c != NULL) {
		cc = c;
		written = import_write(&cc, 1, hosts, 3, fo, fe) == 0;
	}
	fclose(fe);
	fclose(fo);
	if (written && olen == 0)
		fuzz_sshconfig_fail("import succeeded, wrote nothing", "");
	if (!written && olen != 0)
		fuzz_sshconfig_fail("import failed, wrote something", out);
	if (c == NULL && elen == 0)
		fuzz_sshconfig_fail("load failed without an error", "");
	fuzz_sshconfig_lines(err, 100000, 0);
	fuzz_sshconfig_lines(out, 198, 1);
	sshconfig_free(c);
	free(err);
	free(out);
	fuzz_file_check_alone();
	return 0;
}
