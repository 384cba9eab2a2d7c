package org.glusterj.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolfileReferenceTest {
    private static final Path DOC = Path.of("docs/volfile-reference.md");

    /** Run with -Dglusterj.regenerateDocs=true to rewrite the doc from the registry. */
    @Test
    void committedReferenceMatchesTheRegistry() throws Exception {
        String rendered = VolfileReference.render(XlatorRegistry.all());
        if (Boolean.getBoolean("glusterj.regenerateDocs")) {
            Files.createDirectories(DOC.getParent());
            Files.writeString(DOC, rendered, StandardCharsets.UTF_8);
        }
        String hint = DOC + " is out of date with the xlator registry; regenerate it with: "
                + VolfileReference.REGENERATE_COMMAND;
        assertTrue(Files.exists(DOC), hint);
        assertEquals(rendered, Files.readString(DOC, StandardCharsets.UTF_8), hint);
    }

    @Test
    void rendersEachTypeWithAliasesDocAndOptionTable() {
        TestXlators t = new TestXlators();
        String md = VolfileReference.render(List.of(t.leaf, t.brick, t.pass));
        assertTrue(md.startsWith("# Volfile reference\n"), md);
        assertTrue(md.contains("volume NAME\n    type CATEGORY/NAME\n"), "grammar summary");
        assertTrue(md.contains("- [`test/leaf`](#testleaf)\n"), md);
        assertTrue(md.contains("\n### test/leaf\n\nA leaf with options.\n\n| Option | Type | Default | Allowed |"), md);
        assertTrue(md.contains("| `cache-size` | size | `32MB` | a size from 0 to 1099511627776 bytes (suffixes KB, "
                + "MB, GB, TB) | Bytes \\| to cache. |\n"), "pipe in a doc is escaped: " + md);
        assertTrue(md.contains("| `auth.addr.*.allow` | string |  | any text | Addresses allowed per brick. |\n"), md);
        assertTrue(md.contains("| `directory` | path | (required) | an absolute path | Where the files live. |\n"), md);
        assertTrue(md.contains("\n### test/pass\n\nAlso written: `test/passthrough`.\n\nPasses everything on.\n\n"
                + "No options.\n"), md);
    }

    @Test
    void emptyRegistrySaysSo() {
        assertTrue(VolfileReference.render(List.of()).endsWith("## Types\n\nNo xlator types are registered yet.\n"));
    }
}
