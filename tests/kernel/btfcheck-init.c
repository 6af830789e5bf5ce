/* /init of the kernel boot harness (tests/kernel/run.sh): a static program that
 * checks, inside the booted kernel, that the kernel accepted the BTF the build
 * embedded, prints one parseable line per finding and a final verdict line
 * ("BTFCHECK: PASS" or "BTFCHECK: FAIL <reasons>"), then powers off (QEMU's
 * -no-reboot turns the reboot into an exit).
 *
 * Checks:
 *  1. /sys/kernel/btf/vmlinux exists and starts with the BTF magic.
 *  2. Each /modules/<name>.ko loads (finit_module) and gets /sys/kernel/btf/<name>.
 *  3. The kernel holds a BTF object named "vmlinux" with kernel_btf=1. It exists
 *     only if the kernel's own parse of its BTF (btf_parse_vmlinux, run at boot
 *     by a late initcall) succeeded: this is the kernel's verdict.
 *  4. The same bytes load again as user BTF (BPF_BTF_LOAD); on failure the tail
 *     of the verifier log is printed.
 *  5. /btfcheck.conf (optional), one request a line:
 *       type KIND NAME     vmlinux BTF must hold a KIND type named NAME
 *       nonempty MODULE    /sys/kernel/btf/MODULE must hold at least one type
 *
 * Build: gcc -static -O2 -o init btfcheck-init.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Why the verdict is FAIL, appended to the verdict line. */
static char g_reasons[1024];

static void fail(const char *why) {
  size_t n = strlen(g_reasons);
  snprintf(g_reasons + n, sizeof(g_reasons) - n, "%s%s", n ? "," : "", why);
}

static long sysBpf(int cmd, union bpf_attr *attr) {
  return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Reads a whole file; the caller frees. NULL if it cannot be opened. */
static char *readAll(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (ssize_t r;;) {
    if (n == cap)
      buf = realloc(buf, cap *= 2);
    r = read(fd, buf + n, cap - n);
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  *len = n;
  return buf;
}

static const char *kindName(unsigned kind) {
  static const char *const names[] = {"UNKN",    "INT",      "PTR",      "ARRAY",      "STRUCT",
                                      "UNION",   "ENUM",     "FWD",      "TYPEDEF",    "VOLATILE",
                                      "CONST",   "RESTRICT", "FUNC",     "FUNC_PROTO", "VAR",
                                      "DATASEC", "FLOAT",    "DECL_TAG", "TYPE_TAG",   "ENUM64"};
  return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

/* Bytes that follow struct btf_type for this kind (the format's layout). */
static size_t tailBytes(unsigned kind, unsigned vlen) {
  switch (kind) {
  case BTF_KIND_INT:
  case BTF_KIND_VAR:
  case BTF_KIND_DECL_TAG:
    return 4;
  case BTF_KIND_ARRAY:
    return 12;
  case BTF_KIND_STRUCT:
  case BTF_KIND_UNION:
  case BTF_KIND_DATASEC:
  case BTF_KIND_ENUM64:
    return 12u * vlen;
  case BTF_KIND_ENUM:
  case BTF_KIND_FUNC_PROTO:
    return 8u * vlen;
  default:
    return 0;
  }
}

/* Id of the first type of `kind` named `name` in a base (non-split) BTF blob,
 * 0 if none; -1 if the blob is malformed. */
static long findType(const char *data, size_t len, const char *kind, const char *name) {
  const struct btf_header *h = (const void *)data;
  if (len < sizeof(*h) || h->hdr_len + h->type_off + h->type_len > len ||
      h->hdr_len + h->str_off + h->str_len > len)
    return -1;
  const char *types = data + h->hdr_len + h->type_off;
  const char *strs = data + h->hdr_len + h->str_off;
  size_t pos = 0;
  for (long id = 1; pos + sizeof(struct btf_type) <= h->type_len; ++id) {
    const struct btf_type *t = (const void *)(types + pos);
    unsigned k = BTF_INFO_KIND(t->info);
    if (t->name_off && t->name_off < h->str_len && !strcmp(kindName(k), kind) &&
        !strcmp(strs + t->name_off, name))
      return id;
    pos += sizeof(*t) + tailBytes(k, BTF_INFO_VLEN(t->info));
  }
  return 0;
}

/* type_len of a BTF blob in sysfs, -1 if unreadable. */
static long typeLen(const char *path) {
  size_t len = 0;
  char *d = readAll(path, &len);
  long r = -1;
  if (d && len >= sizeof(struct btf_header) && ((struct btf_header *)d)->magic == BTF_MAGIC)
    r = ((struct btf_header *)d)->type_len;
  free(d);
  return r;
}

static void dumpKlogMatches(void) {
  int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
  if (len <= 0)
    return;
  char *buf = malloc((size_t)len + 1);
  int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
  if (n <= 0)
    return;
  buf[n] = 0;
  printf("---- dmesg lines mentioning BTF/BPF/Rust ----\n");
  for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
    if (strcasestr(line, "btf") || strcasestr(line, "bpf") || strcasestr(line, "rust"))
      printf("%s\n", line);
  printf("---- end ----\n");
  free(buf);
}

static void loadModules(void) {
  DIR *d = opendir("/modules");
  if (!d)
    return;
  for (struct dirent *e; (e = readdir(d));) {
    size_t n = strlen(e->d_name);
    if (n < 4 || strcmp(e->d_name + n - 3, ".ko"))
      continue;
    char path[512], name[256], sys[512];
    snprintf(path, sizeof(path), "/modules/%s", e->d_name);
    snprintf(name, sizeof(name), "%.*s", (int)(n - 3), e->d_name);
    for (char *c = name; *c; c++)
      if (*c == '-')
        *c = '_';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    long r = syscall(__NR_finit_module, fd, "", 0);
    printf("btfcheck: module %s load -> %ld (%s)\n", name, r, r < 0 ? strerror(errno) : "ok");
    close(fd);
    struct stat st;
    snprintf(sys, sizeof(sys), "/sys/kernel/btf/%s", name);
    if (r == 0 && stat(sys, &st) == 0) {
      printf("btfcheck: module %s btf %lld bytes type_len %ld\n", name, (long long)st.st_size,
             typeLen(sys));
    } else {
      printf("btfcheck: module %s btf missing\n", name);
      fail("module");
    }
  }
  closedir(d);
}

/* 3: the kernel's own verdict on its BTF. */
static void checkKernelObject(void) {
  union bpf_attr a;
  int found = 0;
  __u32 id = 0;
  for (;;) {
    memset(&a, 0, sizeof(a));
    a.start_id = id;
    if (sysBpf(BPF_BTF_GET_NEXT_ID, &a) != 0)
      break;
    id = a.next_id;
    memset(&a, 0, sizeof(a));
    a.btf_id = id;
    long fd = sysBpf(BPF_BTF_GET_FD_BY_ID, &a);
    if (fd < 0)
      continue;
    char name[64] = "";
    struct bpf_btf_info info;
    memset(&info, 0, sizeof(info));
    info.name = (uintptr_t)name;
    info.name_len = sizeof(name);
    memset(&a, 0, sizeof(a));
    a.info.bpf_fd = (__u32)fd;
    a.info.info_len = sizeof(info);
    a.info.info = (uintptr_t)&info;
    if (sysBpf(BPF_OBJ_GET_INFO_BY_FD, &a) == 0) {
      printf("btfcheck: kernel btf object %u '%s' kernel_btf %u size %u\n", info.id, name,
             info.kernel_btf, info.btf_size);
      if (!strcmp(name, "vmlinux") && info.kernel_btf)
        found = 1;
    }
    close((int)fd);
  }
  if (!found) {
    printf("btfcheck: no 'vmlinux' kernel btf object: the kernel rejected its BTF\n");
    fail("kernel-parse");
  }
}

/* 4: BPF_BTF_LOAD of the same bytes, with the verifier log on failure. */
static void checkUserLoad(const char *data, size_t len) {
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.btf = (uintptr_t)data;
  a.btf_size = (__u32)len;
  long fd = sysBpf(BPF_BTF_LOAD, &a);
  printf("btfcheck: BPF_BTF_LOAD vmlinux -> %ld (%s)\n", fd, fd < 0 ? strerror(errno) : "ok");
  if (fd >= 0) {
    close((int)fd);
    return;
  }
  fail("btf-load");
  size_t logSize = 4 << 20;
  char *log = calloc(1, logSize);
  memset(&a, 0, sizeof(a));
  a.btf = (uintptr_t)data;
  a.btf_size = (__u32)len;
  a.btf_log_buf = (uintptr_t)log;
  a.btf_log_size = (__u32)(logSize - 1);
  a.btf_log_level = 1;
  sysBpf(BPF_BTF_LOAD, &a);
  size_t l = strlen(log);
  printf("btfcheck: verifier log tail:\n%s\n", l > 1500 ? log + l - 1500 : log);
  free(log);
}

/* 5: the harness's expectations. */
static void checkConf(const char *data, size_t len) {
  FILE *f = fopen("/btfcheck.conf", "r");
  if (!f)
    return;
  char line[1024];
  while (fgets(line, sizeof(line), f)) {
    char what[32], a[128], b[640];
    int n = sscanf(line, "%31s %127s %639s", what, a, b);
    if (n == 3 && !strcmp(what, "type")) {
      long id = findType(data, len, a, b);
      printf("btfcheck: type %s '%s' %s%ld\n", a, b, id > 0 ? "found id " : "missing ",
             id > 0 ? id : 0);
      if (id <= 0)
        fail("type");
    } else if (n == 2 && !strcmp(what, "nonempty")) {
      char sys[256];
      snprintf(sys, sizeof(sys), "/sys/kernel/btf/%s", a);
      long tl = typeLen(sys);
      printf("btfcheck: nonempty %s type_len %ld %s\n", a, tl, tl > 0 ? "ok" : "EMPTY");
      if (tl <= 0)
        fail("empty-module-btf");
    }
  }
  fclose(f);
}

int main(void) {
  struct utsname u;
  mount("proc", "/proc", "proc", 0, NULL);
  mount("sysfs", "/sys", "sysfs", 0, NULL);
  uname(&u);
  printf("btfcheck: kernel %s %s\n", u.release, u.version);

  size_t len = 0;
  char *data = readAll("/sys/kernel/btf/vmlinux", &len);
  if (!data) {
    printf("btfcheck: /sys/kernel/btf/vmlinux missing: %s\n", strerror(errno));
    fail("no-sysfs-btf");
  } else {
    const struct btf_header *h = (const void *)data;
    printf("btfcheck: vmlinux btf %zu bytes magic 0x%x type_len %u str_len %u\n", len, h->magic,
           h->type_len, h->str_len);
    if (len < sizeof(*h) || h->magic != BTF_MAGIC)
      fail("magic");
  }
  loadModules();
  checkKernelObject();
  if (data) {
    checkUserLoad(data, len);
    checkConf(data, len);
  }
  dumpKlogMatches();
  if (g_reasons[0])
    printf("BTFCHECK: FAIL %s\n", g_reasons);
  else
    printf("BTFCHECK: PASS\n");
  fflush(stdout);
  sync();
  reboot(RB_AUTOBOOT);
  for (;;)
    pause();
}
