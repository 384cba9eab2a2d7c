package org.glusterj.xlators.protocol.server;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An {@code auth.addr.<subvolume>.allow} list: comma-separated IP address patterns where
 * {@code *} stands for any run of characters, as GlusterFS writes them ({@code 192.168.1.*}).
 * No list at all allows nobody, as in GlusterFS.
 */
final class AddressAuth {
    private final String text;
    private final List<Pattern> patterns = new ArrayList<>();

    AddressAuth(String allowList) {
        this.text = allowList == null ? "" : allowList;
        for (String p : text.split(",")) {
            String t = p.trim();
            if (t.isEmpty()) continue;
            patterns.add(Pattern.compile(Pattern.quote(t).replace("*", "\\E.*\\Q")));
        }
    }

    boolean allows(String address) {
        for (Pattern p : patterns) {
            if (p.matcher(address).matches()) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
