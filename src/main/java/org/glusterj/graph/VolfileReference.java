package org.glusterj.graph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;

/**
 * Renders the volfile reference (docs/volfile-reference.md) from the xlator types themselves, so
 * that the documentation cannot drift from the options the code accepts.
 */
public final class VolfileReference {
    static final String REGENERATE_COMMAND =
            "mvn -q test -Dtest=VolfileReferenceTest -Dglusterj.regenerateDocs=true";

    private VolfileReference() {
    }

    public static String render(List<XlatorType> types) {
        StringBuilder md = new StringBuilder();
        md.append("# Volfile reference\n\n")
          .append("<!-- Generated from the xlator registry by org.glusterj.graph.VolfileReference; do not edit.\n")
          .append("     Regenerate with: ").append(REGENERATE_COMMAND).append(" -->\n\n")
          .append("A volfile describes an xlator graph in GlusterFS's own syntax:\n\n")
          .append("```\n")
          .append("volume NAME\n")
          .append("    type CATEGORY/NAME\n")
          .append("    option KEY VALUE\n")
          .append("    subvolumes NAME1 NAME2 ...\n")
          .append("end-volume\n")
          .append("```\n\n")
          .append("- `#` at the start of a word comments out the rest of the line.\n")
          .append("- A word is a run of characters other than blanks, `\"` and `\\`. Anything else goes in `\"...\"`,")
          .append(" where `\\x` stands for x. A value that is a keyword (`volume`, `type`, `option`, `subvolumes`,")
          .append(" `end-volume`) must be quoted.\n")
          .append("- A statement and its arguments are on one line. `type` comes first and once; at most one")
          .append(" `subvolumes` line, naming volumes defined earlier in the file; a repeated option replaces the")
          .append(" earlier value.\n")
          .append("- The last volume is the top of the graph. Volumes it does not reach are checked but not built.\n")
          .append("- Unknown types, unknown option keys, bad values and missing required options are errors naming")
          .append(" file, line, volume and key.\n")
          .append("- `--xlator-option VOLUME.KEY=VALUE` overrides an option from the command line; VOLUME may be")
          .append(" a glob such as `*-client-*`.\n")
          .append("- Backtick command substitution (GlusterFS runs `` `cmd` `` through a shell) is not supported:")
          .append(" backticks are ordinary characters.\n\n")
          .append("## Types\n\n");
        if (types.isEmpty()) {
            md.append("No xlator types are registered yet.\n");
            return md.toString();
        }
        for (XlatorType t : types) {
            md.append("- [`").append(t.type()).append("`](#").append(anchor(t.type())).append(")\n");
        }
        for (XlatorType t : types) type(md, t);
        return md.toString();
    }

    private static void type(StringBuilder md, XlatorType t) {
        md.append("\n### ").append(t.type()).append("\n\n");
        if (!t.aliases().isEmpty()) {
            md.append("Also written: ");
            md.append(String.join(", ", t.aliases().stream().map(a -> "`" + a + "`").toList())).append(".\n\n");
        }
        if (t.doc() != null && !t.doc().isBlank()) md.append(t.doc().strip()).append("\n\n");
        if (t.options().isEmpty()) {
            md.append("No options.\n");
            return;
        }
        md.append("| Option | Type | Default | Allowed | Description |\n");
        md.append("|---|---|---|---|---|\n");
        for (Option<?> o : t.options()) {
            String dflt = o.isRequired() ? "(required)" : o.defaultValue() == null ? "" : "`" + o.defaultValue() + "`";
            md.append("| `").append(cell(o.key())).append("` | ").append(cell(o.typeName())).append(" | ")
              .append(cell(dflt)).append(" | ").append(cell(o.allowed())).append(" | ")
              .append(cell(o.doc() == null ? "" : o.doc())).append(" |\n");
        }
    }

    /** GitHub's heading anchor: lower case, punctuation other than '-' dropped. */
    private static String anchor(String heading) {
        return heading.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }

    private static String cell(String text) {
        return text.strip().replace("|", "\\|").replaceAll("\\s*\\R\\s*", " ");
    }

    /** Prints the reference, or writes it to the file given as the only argument. */
    public static void main(String[] args) throws IOException {
        String md = render(XlatorRegistry.all());
        if (args.length == 1) {
            Files.writeString(Path.of(args[0]), md, StandardCharsets.UTF_8);
        } else if (args.length == 0) {
            System.out.print(md);
        } else {
            throw new IllegalArgumentException("usage: VolfileReference [OUTPUT-FILE]");
        }
    }
}
