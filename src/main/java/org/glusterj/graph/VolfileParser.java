package org.glusterj.graph;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.glusterj.graph.VolfileLexer.Token;
import org.glusterj.graph.VolumeSpec.OptionValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses the GlusterFS volfile grammar (libglusterfs graph.y) into a {@link Volfile}:
 * <pre>
 * volume NAME
 *     type CATEGORY/NAME
 *     option KEY VALUE
 *     subvolumes NAME1 NAME2 ...
 * end-volume
 * </pre>
 * {@code type} comes first and once; at most one {@code subvolumes} line, naming volumes defined
 * earlier. Keywords are lower case ({@code subvolumeS} is accepted, as graph.l does). Unlike
 * GlusterFS, a statement's arguments must be on the keyword's own line: every volfile glusterd
 * writes is laid out so, and it lets "option without a value" point at its line.
 * Types and option values are not checked here; {@link GraphBuilder} does that.
 */
public final class VolfileParser {
    private static final Logger log = LoggerFactory.getLogger(VolfileParser.class);

    private static final Set<String> SUBVOLUMES = Set.of("subvolumes", "subvolumeS");

    private final String source;
    private final List<Token> tokens;
    private final int lastLine;
    private int next;

    private VolfileParser(String source, VolfileLexer.Result lexed) {
        this.source = source;
        this.tokens = lexed.tokens();
        this.lastLine = lexed.lastLine();
    }

    public static Volfile parse(Path file) throws VolfileException {
        return parse(read(file), file.toString());
    }

    /** @param source how errors name the text, usually its file name */
    public static Volfile parse(String text, String source) throws VolfileException {
        return new VolfileParser(source, VolfileLexer.tokenize(text, source)).volfile();
    }

    static String read(Path file) throws VolfileException {
        try {
            byte[] bytes = Files.readAllBytes(file);
            // A strict decoder: a binary file given by mistake should fail clearly, not parse as mojibake.
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new VolfileException(file.toString(), 0, null, "no such file; check the volfile path");
        } catch (CharacterCodingException e) {
            throw new VolfileException(file.toString(), 0, null, "not UTF-8 text; is this really a volfile?");
        } catch (IOException e) {
            throw new VolfileException(file.toString(), 0, null, "cannot read: " + e, e);
        }
    }

    private Volfile volfile() throws VolfileException {
        List<VolumeSpec> volumes = new ArrayList<>();
        Map<String, Integer> defined = new LinkedHashMap<>();
        while (next < tokens.size()) {
            Token t = tokens.get(next++);
            if (!t.isKeyword("volume")) {
                String why = isKeyword(t) ? t.shown() + " outside a volume" : "unknown keyword " + t.shown();
                throw error(t.line(), null, why + "; expected \"volume NAME\"");
            }
            Token name = argument(t);
            if (name == null) {
                throw error(t.line(), null,
                        "\"volume\" without a name; write \"volume NAME\" (quote a name that is a keyword)");
            }
            if (name.text().isEmpty()) throw error(t.line(), null, "empty volume name");
            Integer earlier = defined.get(name.text());
            if (earlier != null) {
                throw error(t.line(), name.text(),
                        "already defined at line " + earlier + "; volume names must be unique");
            }
            VolumeSpec v = body(name.text(), t.line(), defined);
            defined.put(v.name(), v.line());
            volumes.add(v);
        }
        if (volumes.isEmpty()) {
            throw error(lastLine, null, "no volumes defined; a volfile needs at least one \"volume NAME\" ... "
                    + "\"end-volume\" block");
        }
        return new Volfile(source, volumes);
    }

    private VolumeSpec body(String name, int line, Map<String, Integer> defined) throws VolfileException {
        String type = null;
        int typeLine = 0;
        Map<String, OptionValue> options = new LinkedHashMap<>();
        List<String> subvolumes = new ArrayList<>();
        int subvolumesLine = 0;
        while (true) {
            if (next >= tokens.size()) {
                throw error(line, name, "no end-volume before end of file; close the volume with \"end-volume\"");
            }
            Token t = tokens.get(next++);
            if (t.isKeyword("type")) {
                if (type != null) throw error(t.line(), name, "\"type\" given twice (first at line " + typeLine + ")");
                Token value = argument(t);
                if (value == null) {
                    throw error(t.line(), name, "\"type\" without a value; write \"type CATEGORY/NAME\"");
                }
                type = value.text();
                typeLine = t.line();
            } else if (t.isKeyword("option")) {
                requireType(type, t, name);
                option(t, name, options);
            } else if (!t.quoted() && SUBVOLUMES.contains(t.text())) {
                requireType(type, t, name);
                if (subvolumesLine != 0) {
                    throw error(t.line(), name, "\"subvolumes\" given twice (first at line " + subvolumesLine
                            + "); list all subvolumes on one line");
                }
                subvolumesLine = t.line();
                subvolumes(t, name, defined, subvolumes);
            } else if (t.isKeyword("end-volume")) {
                if (type == null) {
                    throw error(line, name, "no \"type\" given; every volume needs \"type CATEGORY/NAME\"");
                }
                return new VolumeSpec(name, line, type, typeLine, options, subvolumes, subvolumesLine);
            } else if (t.isKeyword("volume")) {
                throw error(t.line(), name, "\"end-volume\" missing before the next \"volume\"");
            } else {
                String expected = (type == null ? "type, " : "") + "option, subvolumes or end-volume";
                throw error(t.line(), name, (t.quoted() ? "unexpected quoted word " : "unknown keyword ")
                        + t.shown() + "; expected " + expected);
            }
        }
    }

    private void option(Token keyword, String volume, Map<String, OptionValue> options) throws VolfileException {
        Token key = argument(keyword);
        if (key == null) throw error(keyword.line(), volume, "\"option\" without a key; write \"option KEY VALUE\"");
        if (key.text().isEmpty()) throw error(keyword.line(), volume, "empty option key");
        Token value = argument(keyword);
        if (value == null) {
            throw error(keyword.line(), volume, "option \"" + key.text() + "\" has no value; write \"option KEY VALUE\""
                    + " (quote a value that is a keyword or contains spaces)");
        }
        OptionValue previous = options.put(key.text(), OptionValue.at(value.text(), keyword.line()));
        if (previous != null) {
            log.warn("{}:{}: volume \"{}\": option \"{}\" set again; \"{}\" replaces \"{}\" from line {}", source,
                    keyword.line(), volume, key.text(), value.text(), previous.value(), previous.line());
        }
    }

    private void subvolumes(Token keyword, String volume, Map<String, Integer> defined, List<String> out)
            throws VolfileException {
        Token sub;
        while ((sub = argument(keyword)) != null) {
            String s = sub.text();
            if (s.equals(volume)) throw error(keyword.line(), volume, "cannot be its own subvolume");
            if (!defined.containsKey(s)) {
                int later = laterDefinition(s);
                throw error(keyword.line(), volume, "subvolume \"" + s + "\" " + (later > 0
                        ? "is defined later (line " + later + "); define a volume before the volumes that use it"
                        : "is not defined; defined so far: " + (defined.isEmpty() ? "none"
                        : String.join(", ", defined.keySet()))));
            }
            if (out.contains(s)) throw error(keyword.line(), volume, "subvolume \"" + s + "\" listed twice");
            out.add(s);
        }
        if (out.isEmpty()) {
            throw error(keyword.line(), volume, "\"subvolumes\" without names; write \"subvolumes NAME ...\"");
        }
    }

    /** The next token if it is on the keyword's line and not itself a keyword; else null, consuming nothing. */
    private Token argument(Token keyword) {
        if (next >= tokens.size()) return null;
        Token t = tokens.get(next);
        if (t.line() != keyword.line() || isKeyword(t)) return null;
        next++;
        return t;
    }

    private int laterDefinition(String name) {
        for (int i = next; i + 1 < tokens.size(); i++) {
            Token t = tokens.get(i);
            Token n = tokens.get(i + 1);
            if (t.isKeyword("volume") && n.line() == t.line() && n.text().equals(name)) return t.line();
        }
        return 0;
    }

    private void requireType(String type, Token t, String volume) throws VolfileException {
        if (type == null) {
            throw error(t.line(), volume, t.shown() + " before \"type\"; \"type CATEGORY/NAME\" must come first");
        }
    }

    private static boolean isKeyword(Token t) {
        if (t.quoted()) return false;
        String s = t.text();
        return s.equals("volume") || s.equals("type") || s.equals("option") || SUBVOLUMES.contains(s)
                || s.equals("end-volume");
    }

    private VolfileException error(int line, String volume, String reason) {
        return new VolfileException(source, line, volume, reason);
    }
}
