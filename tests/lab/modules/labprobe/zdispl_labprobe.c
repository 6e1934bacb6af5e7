// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl_labprobe: the smallest out-of-tree module, used only by the lab's
 * kmod scenario to prove that modules built by `make` load and unload in
 * dom0 and in a domU. It reports what kind of Xen domain it runs in, through
 * the kernel log and a read-only parameter.
 */
#include <linux/module.h>
#include <xen/xen.h>

static char *domain = "none";
module_param(domain, charp, 0444);
MODULE_PARM_DESC(domain, "Xen domain kind seen at load time (read-only)");

static int __init labprobe_init(void)
{
	if (!xen_domain())
		domain = "native";
	else if (xen_initial_domain())
		domain = xen_pv_domain() ? "dom0-pv" : "dom0-hvm";
	else
		domain = xen_pv_domain() ? "domu-pv" : "domu-hvm";
	pr_info("zdispl_labprobe: loaded in %s\n", domain);
	return 0;
}

static void __exit labprobe_exit(void)
{
	pr_info("zdispl_labprobe: unloaded from %s\n", domain);
}

module_init(labprobe_init);
module_exit(labprobe_exit);
MODULE_DESCRIPTION("zdispl lab probe module");
MODULE_LICENSE("GPL");
