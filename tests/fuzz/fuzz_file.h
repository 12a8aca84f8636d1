/*
 * A scratch file for fuzz targets whose code under test reads a path: one
 * private directory per process holding one file, rewritten for each input.
 */
#ifndef JUMPGATE_FUZZ_FILE_H
#define JUMPGATE_FUZZ_FILE_H

#include <stddef.h>

/* Make the directory and the empty file NAME in it; once per process. */
void		 fuzz_file_init(const char *name);
/* Replace the file's content with LEN bytes at DATA. */
void		 fuzz_file_write(const unsigned char *data, size_t len);
/* The file's absolute path. */
const char	*fuzz_file_path(void);
/* Abort if the directory holds anything but the file. */
void		 fuzz_file_check_alone(void);
/* Count the lines in LEN bytes at DATA as getline does. */
int		 fuzz_file_lines(const unsigned char *data, size_t len);

#endif
