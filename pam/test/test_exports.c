/* SPDX-License-Identifier: MIT */
/* The built module exports exactly pam_sm_authenticate and pam_sm_setcred: read its dynamic symbol
 * table (ELF64, from the file) and dlopen it to resolve both. */
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef OTPD_PAM_MODULE
#error "OTPD_PAM_MODULE must name the built pam_otpd.so"
#endif

/* Counts the defined global/weak symbols of .dynsym; each must be one of the two entry points. */
static int check_dynsym(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  assert(fd >= 0 && fstat(fd, &st) == 0 && (size_t)st.st_size > sizeof(Elf64_Ehdr));
  size_t size = (size_t)st.st_size;
  void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  assert(map != MAP_FAILED);
  const unsigned char *base = map;
  const Elf64_Ehdr *eh = map;
  assert(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64);
  assert(eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) <= size);
  const Elf64_Shdr *sh = (const Elf64_Shdr *)(const void *)(base + eh->e_shoff);
  int found = 0, ok = 1;
  for (unsigned i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type != SHT_DYNSYM) continue;
    assert(sh[i].sh_link < eh->e_shnum);
    const Elf64_Shdr *strs = &sh[sh[i].sh_link];
    assert(sh[i].sh_offset + sh[i].sh_size <= size && strs->sh_offset + strs->sh_size <= size);
    const Elf64_Sym *sym = (const Elf64_Sym *)(const void *)(base + sh[i].sh_offset);
    size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
    for (size_t k = 0; k < n; k++) {
      unsigned bind = ELF64_ST_BIND(sym[k].st_info);
      if (sym[k].st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK)) continue;
      assert(sym[k].st_name < strs->sh_size);
      const char *name = (const char *)base + strs->sh_offset + sym[k].st_name;
      if (strcmp(name, "pam_sm_authenticate") == 0 || strcmp(name, "pam_sm_setcred") == 0) {
        found++;
      } else {
        fprintf(stderr, "test_exports: unexpected exported symbol %s\n", name);
        ok = 0;
      }
    }
  }
  munmap(map, size);
  close(fd);
  assert(ok);
  return found;
}

int main(void) {
  assert(check_dynsym(OTPD_PAM_MODULE) == 2);

  void *h = dlopen(OTPD_PAM_MODULE, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) fprintf(stderr, "dlopen: %s\n", dlerror());
  assert(h != NULL);
  assert(dlsym(h, "pam_sm_authenticate") != NULL);
  assert(dlsym(h, "pam_sm_setcred") != NULL);
  /* internal functions stay hidden */
  const char *hidden[] = {"otpd_client_authenticate", "otpd_options_parse", "otpd_conv_relay",
                          "otpd_debug_log",           "otpd_msg_parse",     "otpd_msg_encode",
                          "pam_sm_open_session",      "pam_sm_chauthtok",   "pam_sm_acct_mgmt"};
  for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) assert(dlsym(h, hidden[i]) == NULL);
  assert(dlclose(h) == 0);
  puts("test_exports: ok");
  return 0;
}
