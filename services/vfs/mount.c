/*
 * Mounting at boot (INIT_LEVEL_FS): "/tmp" on a RAM device, "/" on the
 * first virtio-blk disk.
 *
 * What is on the disk decides what happens, and the log says which case it
 * was:
 *   - littlefs superblock that mounts    -> mounted (read-only if the disk is)
 *   - littlefs superblock that does not  -> corrupt: left unmounted
 *   - the first MiB all 0x00 or all 0xff -> blank: formatted, then mounted
 *   - anything else                      -> foreign: left unmounted
 * A disk with data on it is never formatted automatically; the shell's
 * `format` does it on request.
 */
#include <stdlib.h>
#include <string.h>
#include "services/vfs/vfs.h"
#include "services/vfs/vfs_internal.h"
#include "blockdev/ramdev.h"
#include "drivers/virtio/virtio_blk.h"
#include "kernel/bootargs.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "pus/err.h"

#define ROOT_BLOCK_SIZE 4096u
#define BLANK_PROBE_BYTES (1024u * 1024u)
#define TMP_BLOCK_SIZE 4096u
#define TMP_DEFAULT_KIB 1024

static struct vblk_bdev root_vblk;
static struct ramdev tmp_ram;

enum disk_kind { DISK_BLANK, DISK_LITTLEFS, DISK_FOREIGN };

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Look for the littlefs superblock at the start of block 0 or block 1:
 * revision (4 bytes), the name tag, "littlefs", then the inline struct tag
 * and struct { version, block_size, block_count, ... } (little-endian).
 */
static uint32_t found_version;     /* of the superblock find_superblock saw */

static bool find_superblock(struct virtio_blk *disk, uint8_t *buf, uint32_t *bsize,
                            uint32_t *bcount)
{
    static const uint32_t offsets[] = {0, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536};
    uint64_t disk_bytes = virtio_blk_sectors(disk) * VIRTIO_BLK_SECTOR;
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        if (offsets[i] + VIRTIO_BLK_SECTOR > disk_bytes)
            break;
        if (virtio_blk_read(disk, offsets[i] / VIRTIO_BLK_SECTOR, buf, VIRTIO_BLK_SECTOR) < 0)
            continue;
        if (memcmp(buf + 8, "littlefs", 8) != 0)
            continue;
        uint32_t bs = le32(buf + 24), bc = le32(buf + 28);
        if (bs < 512 || (bs & (bs - 1)) || (offsets[i] && offsets[i] != bs))
            continue;
        *bsize = bs;
        *bcount = bc;
        found_version = le32(buf + 20);
        return true;
    }
    return false;
}

static enum disk_kind classify(struct virtio_blk *disk, uint32_t *bsize, uint32_t *bcount)
{
    uint8_t *buf = malloc(64 * 1024);
    if (!buf)
        return DISK_FOREIGN;
    enum disk_kind kind = DISK_BLANK;
    if (find_superblock(disk, buf, bsize, bcount)) {
        kind = DISK_LITTLEFS;
    } else {
        /* Blank means nothing at all in the first MiB: a disk that has
         * zeros only where littlefs would look may still hold something. */
        uint64_t total = virtio_blk_sectors(disk) * VIRTIO_BLK_SECTOR;
        if (total > BLANK_PROBE_BYTES)
            total = BLANK_PROBE_BYTES;
        uint8_t fill = 0;
        for (uint64_t off = 0; off < total && kind == DISK_BLANK; off += 64 * 1024) {
            uint64_t n = total - off < 64 * 1024 ? total - off : 64 * 1024;
            if (virtio_blk_read(disk, off / VIRTIO_BLK_SECTOR, buf, n) < 0) {
                kind = DISK_FOREIGN;
                break;
            }
            if (off == 0)
                fill = buf[0];
            for (uint64_t i = 0; i < n; i++)
                if (buf[i] != fill || (fill != 0 && fill != 0xff)) {
                    kind = DISK_FOREIGN;
                    break;
                }
        }
    }
    free(buf);
    return kind;
}

/*
 * The allocator's bitmap covers the whole disk (up to 256 Ki blocks, 32 KiB
 * of RAM): the allocator then walks every file's block list once per lap
 * round the disk instead of once per 2048 blocks (lib/fs's default window),
 * and on a disk those walks are reads that would dominate large sequential
 * writes. (An eighth of the disk used to be the limit: lib/fs reported a
 * full disk early with big windows; fixed there, see lib/fs/alloc.c.)
 */
static uint32_t lookahead_bytes(uint32_t blocks)
{
    uint32_t bytes = (blocks + 63) / 64 * 8;
    if (bytes < 8)
        bytes = 8;
    return bytes > 32768 ? 32768 : bytes;
}

static void root_config(struct mount *m, bool read_only)
{
    m->cfg = (struct fs_config){
        .bd = &root_vblk.bd,
        .cache_size = root_vblk.bd.block_size,   /* whole-block programs */
        .lookahead_size = (uint32_t)bootarg_long("fs.lookahead",
                                                 lookahead_bytes(root_vblk.bd.block_count)),
        .block_cycles = 500,
        .read_only = read_only,
    };
    m->bd = &root_vblk.bd;
    m->vblk = &root_vblk;
}

/* Geometry and version only: counting the blocks in use walks every file,
 * which on a full disk would cost boot time (df counts them). */
static void log_mounted(struct mount *m, uint32_t version, const char *how)
{
    log_info("vfs: %s: littlefs %u.%u on %s, %u blocks of %u bytes%s%s", m->path,
             version >> 16, version & 0xffff, m->source, m->bd->block_count,
             m->bd->block_size, m->read_only ? ", read-only" : "", how);
}

/* Called with the root's lock held (or at boot). */
static int format_and_mount(struct mount *m, struct virtio_blk *disk)
{
    uint64_t blocks = virtio_blk_sectors(disk) * VIRTIO_BLK_SECTOR / ROOT_BLOCK_SIZE;
    if (blocks > UINT32_MAX)
        blocks = UINT32_MAX;
    if (blocks < 8)
        return ERR_TOO_BIG;
    vblk_bdev_free(&root_vblk);
    int r = vblk_bdev_init(&root_vblk, 0, ROOT_BLOCK_SIZE, (uint32_t)blocks);
    if (r < 0)
        return r;
    root_config(m, false);
    if ((r = fs_format(&m->fs, &m->cfg)) < 0)
        return r;
    if ((r = fs_mount(&m->fs, &m->cfg)) < 0)
        return r;
    m->mounted = true;
    m->read_only = false;
    m->state = "mounted";
    return 0;
}

static void mount_root(void)
{
    struct mount *m = &vfs_mounts[0];
    m->path = "/";
    m->source = "virtio-blk0";
    m->state = "no disk";
    mutex_init(&m->lock);
    struct virtio_blk *disk = virtio_blk_get(0);
    if (!disk) {
        log_warn("vfs: no virtio-blk disk: / is not mounted (only /tmp, in RAM, holds files)");
        return;
    }
    bool ro = virtio_blk_read_only(disk);
    uint32_t bsize = 0, bcount = 0;
    enum disk_kind kind = classify(disk, &bsize, &bcount);
    uint64_t disk_blocks = bsize ? virtio_blk_sectors(disk) * VIRTIO_BLK_SECTOR / bsize : 0;
    int r;
    switch (kind) {
    case DISK_LITTLEFS:
        if (bcount == 0 || bcount > disk_blocks) {
            log_error("vfs: virtio-blk0: littlefs superblock says %u blocks of %u bytes, "
                      "the disk has %llu: corrupt or truncated; / not mounted (`format` erases it)",
                      bcount, bsize, (unsigned long long)disk_blocks);
            m->state = "corrupt";
            return;
        }
        if ((r = vblk_bdev_init(&root_vblk, 0, bsize, bcount)) < 0) {
            log_error("vfs: virtio-blk0: cannot use the disk: %s", err_str(r));
            m->state = "error";
            return;
        }
        root_config(m, ro);
        if ((r = fs_mount(&m->fs, &m->cfg)) < 0) {
            log_error("vfs: virtio-blk0 holds a littlefs filesystem that does not mount (%s): "
                      "corrupt; / not mounted (`format` erases it)", err_str(r));
            m->state = "corrupt";
            return;
        }
        m->mounted = true;
        m->read_only = ro;
        m->state = "mounted";
        log_mounted(m, found_version, ro ? " (the disk is read-only)" : "");
        return;
    case DISK_BLANK:
        if (ro) {
            log_error("vfs: virtio-blk0 is blank and read-only: cannot format; / not mounted");
            m->state = "blank, read-only";
            return;
        }
        log_info("vfs: virtio-blk0 is blank: formatting littlefs (%u-byte blocks)", ROOT_BLOCK_SIZE);
        if ((r = format_and_mount(m, disk)) < 0) {
            log_error("vfs: formatting virtio-blk0 failed: %s; / not mounted", err_str(r));
            m->state = "format failed";
            return;
        }
        log_mounted(m, FS_DISK_VERSION, ", formatted at first boot");
        return;
    case DISK_FOREIGN:
        log_error("vfs: virtio-blk0 holds data that is not littlefs (another filesystem?); "
                  "/ not mounted, nothing written (`format` erases it)");
        m->state = "foreign data";
        return;
    }
}

/* /tmp is made on its first use: formatting even a small RAM disk costs
 * boot time that most boots never need back. Called with m->lock held. */
static int create_tmp(struct mount *m)
{
    long kib = bootarg_long("tmpsize", TMP_DEFAULT_KIB);
    if (kib < 64)
        kib = 64;
    uint32_t blocks = (uint32_t)(kib * 1024 / TMP_BLOCK_SIZE);
    int r = ramdev_init(&tmp_ram, TMP_BLOCK_SIZE, blocks, 16, 16);
    if (r == 0) {
        m->cfg = (struct fs_config){ .bd = &tmp_ram.bd, .cache_size = 512, .block_cycles = -1,
                                     .lookahead_size = lookahead_bytes(blocks) };
        m->bd = &tmp_ram.bd;
        r = fs_format(&m->fs, &m->cfg);
        if (r == 0)
            r = fs_mount(&m->fs, &m->cfg);
    }
    if (r < 0) {
        log_error("vfs: /tmp: cannot set up the RAM filesystem: %s", err_str(r));
        m->state = "no memory";
        return r;
    }
    m->mounted = true;
    m->state = "mounted";
    /* Debug level: this happens in the middle of some command's output. */
    log_debug("vfs: /tmp: littlefs 2.1 on ram, %u blocks of %u bytes", blocks, TMP_BLOCK_SIZE);
    return 0;
}

static void mount_tmp(void)
{
    struct mount *m = &vfs_mounts[1];
    m->path = "/tmp";
    m->source = "ram";
    m->state = "unused yet";
    mutex_init(&m->lock);
    m->create = create_tmp;
}

static int vfs_init(void)
{
    mount_root();
    mount_tmp();
    return 0;
}
INIT_HOOK(vfs, INIT_LEVEL_FS, vfs_init);

int vfs_format_root(void)
{
    struct mount *m = &vfs_mounts[0];
    struct virtio_blk *disk = virtio_blk_get(0);
    if (!disk || !m->path)
        return ERR_NO_DEVICE;
    if (virtio_blk_read_only(disk))
        return ERR_READ_ONLY;
    mutex_acquire(&m->lock);
    if (m->open > 0) {
        mutex_release(&m->lock);
        return ERR_BUSY;
    }
    if (m->mounted)
        fs_unmount(&m->fs);
    m->mounted = false;
    m->state = "formatting";
    log_warn("vfs: formatting virtio-blk0 on request: everything on / is erased");
    int r = format_and_mount(m, disk);
    if (r < 0) {
        m->state = "format failed";
        log_error("vfs: formatting virtio-blk0 failed: %s", err_str(r));
    } else {
        log_mounted(m, FS_DISK_VERSION, ", formatted");
    }
    mutex_release(&m->lock);
    return r;
}

int vfs_fsck_mount(struct mount *m)
{
    vfs_lock_mount(m);
    int r = m->mounted ? fs_fsck(&m->fs) : ERR_NO_DEVICE;
    mutex_release(&m->lock);
    return r;
}

bool vfs_root_disk_stats(struct vblk_stats *out)
{
    struct mount *m = &vfs_mounts[0];
    if (!m->vblk)
        return false;
    mutex_acquire(&m->lock);
    *out = m->vblk->stats;
    mutex_release(&m->lock);
    return true;
}
