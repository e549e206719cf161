#!/usr/bin/env python3
"""Build small, deterministic Anki fixture packages with Anki's own library.

Usage: python3 scripts/anki-html-fixtures.py OUTDIR
(the committed copies are in crates/rehearse-core/tests/fixtures/anki-html,
read by crates/rehearse-core/tests/anki_roundtrip.rs)

Writes OUTDIR/github.apkg, OUTDIR/editor.apkg and OUTDIR/code.apkg.
Every note has a fixed guid, so reruns produce the same notes (note/card ids
and timestamps still differ between runs, as they would in real exports).
"""
import os
import struct
import sys
import tempfile
import zlib

from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def tiny_png(width=8, height=8):
    """A real, valid RGB PNG (diagonal two-colour pattern), built with zlib."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    rows = b""
    for y in range(height):
        rows += b"\x00"  # filter type: none
        for x in range(width):
            rows += bytes((33, 150, 243)) if x >= y else bytes((255, 255, 255))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def anchor(slug):
    """GitHub's heading anchor (icon only, no visible text)."""
    return (f'<a id="user-content-{slug}" class="anchor" aria-hidden="true" href="#{slug}">'
            '<svg class="octicon octicon-link" viewBox="0 0 16 16" version="1.1" width="16" '
            'height="16" aria-hidden="true"><path fill-rule="evenodd" d="M7.775 3.275a.75.75 0 '
            '001.06 1.06l1.25-1.25a2 2 0 112.83 2.83l-2.5 2.5a2 2 0 01-2.83 0 .75.75 0 00-1.06 '
            '1.06 3.5 3.5 0 004.95 0l2.5-2.5a3.5 3.5 0 00-4.95-4.95l-1.25 1.25z"></path></svg></a>')


def heading(level, slug, text):
    return f"<h{level}>{anchor(slug)}{text}</h{level}>"


def build(out_path, deck_name, notes, media=None):
    """notes: list of (guid, notetype name, [field values], [tags])."""
    with tempfile.TemporaryDirectory(prefix="rehearse-fixture-") as tmp:
        col = Collection(os.path.join(tmp, "collection.anki2"))
        try:
            for name, data in (media or {}).items():
                stored = col.media.write_data(name, data)
                assert stored == name, (stored, name)
            deck_id = col.decks.id(deck_name)
            for guid, notetype, fields, tags in notes:
                model = col.models.by_name(notetype)
                assert model is not None, notetype
                note = col.new_note(model)
                assert len(fields) == len(note.fields), (guid, len(note.fields))
                for i, value in enumerate(fields):
                    note.fields[i] = value
                note.tags = list(tags)
                note.guid = guid
                col.add_note(note, deck_id)
            count = col.export_anki_package(
                out_path=os.path.abspath(out_path),
                options=ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False,
                                                 with_media=True, legacy=False),
                limit=DeckIdLimit(deck_id=deck_id),
            )
        finally:
            col.close()
    return count


# --------------------------------------------------------------------------
# github.apkg: Backs as GitHub renders Markdown (system-design-primer style)
# --------------------------------------------------------------------------

RAW = "https://raw.githubusercontent.com/donnemartin/system-design-primer/master/images"

GITHUB = [
    ("rhGH-cap-01", "Basic", [
        "What is the CAP theorem?",
        heading(3, "cap-theorem", "CAP theorem")
        + f'<p align="center"><img src="{RAW}/bgLMI2u.png" alt="diagram" style="max-width: 100%;"></p>'
        + '<p>In a distributed computer system, you can only support <strong>two</strong> of the following guarantees:</p>\n'
        + '<ul>\n<li><strong>Consistency</strong> - Every read receives the most recent write or an error</li>\n'
        + '<li><strong>Availability</strong> - Every request receives a response, without guarantee that it contains the most recent version of the information</li>\n'
        + '<li><strong>Partition Tolerance</strong> - The system continues to operate despite arbitrary partitioning due to network failures</li>\n</ul>\n'
        + '<p><em>Networks aren\'t reliable, so you\'ll need to support partition tolerance.</em></p>\n'
        + heading(4, "sources-and-further-reading-cap", "Sources and further reading")
        + '\n<ul>\n<li><a href="http://robertgreiner.com/2014/08/cap-theorem-revisited/" rel="nofollow">CAP theorem revisited</a></li>\n'
        + '<li><a href="http://www.julianbrowne.com/article/viewer/brewers-cap-theorem" rel="nofollow">A plain english introduction to CAP theorem</a></li>\n'
        + '<li><a href="https://github.com/henryr/cap-faq">CAP FAQ</a></li>\n</ul>',
    ], ["system-design", "distributed"]),

    ("rhGH-cons-02", "Basic", [
        "Name the consistency patterns.",
        heading(3, "consistency-patterns", "Consistency patterns")
        + '<p>With multiple copies of the same data, we are faced with options on how to synchronize them so clients have a consistent view of the data. Recall the definition of consistency from the <a href="#cap-theorem">CAP theorem</a>.</p>\n'
        + '<ol>\n<li><strong>Weak consistency</strong>: after a write, reads may or may not see it\n'
        + '<ul>\n<li>Seen in systems such as <code>memcached</code></li>\n<li>Works well in real time use cases such as VoIP, video chat</li>\n</ul>\n</li>\n'
        + '<li><strong>Eventual consistency</strong>: reads will eventually see it (typically within milliseconds)\n'
        + '<ul>\n<li>Seen in systems such as DNS and email</li>\n</ul>\n</li>\n'
        + '<li><strong>Strong consistency</strong>: reads will see it\n'
        + '<ul>\n<li>Seen in file systems and RDBMSes</li>\n<li>Works well in systems that need <em>transactions</em></li>\n</ul>\n</li>\n</ol>',
    ], ["system-design"]),

    ("rhGH-latn-03", "Basic", [
        "Latency numbers every programmer should know",
        heading(3, "latency-numbers", "Latency numbers every programmer should know")
        + '<table>\n<thead>\n<tr>\n<th>Operation</th>\n<th align="right">Latency</th>\n<th>Notes</th>\n</tr>\n</thead>\n'
        + '<tbody>\n<tr>\n<td>L1 cache reference</td>\n<td align="right">0.5 ns</td>\n<td></td>\n</tr>\n'
        + '<tr>\n<td>Main memory reference</td>\n<td align="right">100 ns</td>\n<td>20x L2 cache, 200x L1 cache</td>\n</tr>\n'
        + '<tr>\n<td>Read 1 MB sequentially from <strong>SSD</strong></td>\n<td align="right">1,000,000 ns</td>\n<td><code>1 ms</code></td>\n</tr>\n'
        + '<tr>\n<td>Round trip within same datacenter</td>\n<td align="right">500,000 ns</td>\n<td>0.5 ms</td>\n</tr>\n</tbody>\n</table>\n'
        + '<p>Source: <a href="https://gist.github.com/jboner/2841832">Latency comparison numbers</a></p>',
    ], ["system-design", "performance"]),

    ("rhGH-cach-04", "Basic", [
        "Cache-aside: how does the application read?",
        heading(4, "cache-aside", "Cache-aside")
        + f'<p><a target="_blank" rel="noopener noreferrer" href="{RAW}/ONjORqk.png"><img src="{RAW}/ONjORqk.png" alt="diagram" style="max-width: 100%;"></a></p>\n'
        + '<p>The application is responsible for reading and writing from storage. The cache does not interact with storage directly. The application does the following:</p>\n'
        + '<ul>\n<li>Look for entry in cache, resulting in a cache miss</li>\n<li>Load entry from the database</li>\n<li>Add entry to cache</li>\n<li>Return entry</li>\n</ul>\n'
        + '<div class="highlight highlight-source-python"><pre><span class="pl-k">def</span> <span class="pl-en">get_user</span>(<span class="pl-s1">self</span>, <span class="pl-s1">user_id</span>):\n'
        + '    <span class="pl-s1">user</span> <span class="pl-c1">=</span> <span class="pl-s1">cache</span>.<span class="pl-en">get</span>(<span class="pl-s">"user.{0}"</span>, <span class="pl-s1">user_id</span>)\n'
        + '    <span class="pl-k">if</span> <span class="pl-s1">user</span> <span class="pl-c1">is</span> <span class="pl-c1">None</span>:\n'
        + '        <span class="pl-s1">user</span> <span class="pl-c1">=</span> <span class="pl-s1">db</span>.<span class="pl-en">query</span>(<span class="pl-s">"SELECT * FROM users WHERE user_id = {0}"</span>, <span class="pl-s1">user_id</span>)\n'
        + '    <span class="pl-k">return</span> <span class="pl-s1">user</span></pre></div>\n'
        + '<p><a href="https://memcached.org/" rel="nofollow">Memcached</a> is generally used in this manner.</p>',
    ], ["system-design", "caching"]),

    ("rhGH-lb-05", "Basic", [
        "What are the benefits of a load balancer?",
        heading(3, "load-balancer", "Load balancer")
        + '<p>Load balancers distribute incoming client requests to computing resources such as application servers and databases. Useful benefits include:</p>\n'
        + '<ul>\n<li>Preventing requests from going to unhealthy servers</li>\n<li>Preventing overloading resources</li>\n'
        + '<li>Helping to eliminate a single point of failure</li>\n'
        + '<li><strong>SSL termination</strong> - Decrypt incoming requests and encrypt server responses\n'
        + '<ul>\n<li>Removes the need to install <a href="https://en.wikipedia.org/wiki/X.509" rel="nofollow">X.509 certificates</a> on each server</li>\n</ul>\n</li>\n'
        + '<li><strong>Session persistence</strong> - Issue cookies and route a specific client\'s requests to the same instance</li>\n</ul>\n'
        + '<p>Common algorithms: <em>Random</em>, <em>Least loaded</em>, <em>Round robin</em>, <em>Layer 4</em> and <em>Layer 7</em>.</p>',
    ], ["system-design", "networking"]),

    ("rhGH-db-06", "Basic", [
        "Master-slave replication: disadvantages?",
        heading(5, "disadvantages-master-slave-replication", "Disadvantage(s): master-slave replication")
        + '<ul>\n<li>Additional logic is needed to promote a slave to a master.</li>\n'
        + '<li>See <a href="#disadvantages-replication">Disadvantage(s): replication</a> for points related to <strong>both</strong> master-slave and master-master.</li>\n</ul>\n'
        + f'<p><img src="{RAW}/C9ioGtn.png" alt="diagram"></p>\n'
        + '<p><i>Source: <a href="http://www.slideshare.net/jboner/scalability-availability-stability-patterns/" rel="nofollow">Scalability, availability, stability, patterns</a></i></p>',
    ], ["system-design", "databases"]),

    ("rhGH-dns-07", "Basic", [
        "How does DNS resolve a name?",
        heading(3, "domain-name-system", "Domain name system")
        + '<p>A Domain Name System (DNS) translates a domain name such as <a href="http://www.example.com" rel="nofollow">www.example.com</a> to an IP address.</p>\n'
        + '<p>DNS is hierarchical, with a few authoritative servers at the top level. Your router or ISP provides information about which DNS server(s) to contact when doing a lookup. Lower level DNS servers cache mappings, which could become stale due to DNS propagation delays. DNS results can also be cached by your browser or OS for a certain period of time, determined by the <a href="https://en.wikipedia.org/wiki/Time_to_live" rel="nofollow">time to live (TTL)</a>.</p>\n'
        + '<ul>\n<li><strong>NS record (name server)</strong> - Specifies the DNS servers for your domain/subdomain.</li>\n'
        + '<li><strong>MX record (mail exchange)</strong> - Specifies the mail servers for accepting messages.</li>\n'
        + '<li><strong>A record (address)</strong> - Points a name to an IP address.</li>\n'
        + '<li><strong>CNAME (canonical)</strong> - Points a name to another name or <code>CNAME</code> (example.com to www.example.com) or to an <code>A</code> record.</li>\n</ul>',
    ], ["system-design", "networking"]),

    ("rhGH-rest-08", "Basic", [
        "RPC vs REST: compare the calls",
        heading(3, "rpc-and-rest-calls-comparison", "RPC and REST calls comparison")
        + '<table>\n<thead>\n<tr>\n<th>Operation</th>\n<th>RPC</th>\n<th>REST</th>\n</tr>\n</thead>\n<tbody>\n'
        + '<tr>\n<td>Signup</td>\n<td><strong>POST</strong> /signup</td>\n<td><strong>POST</strong> /persons</td>\n</tr>\n'
        + '<tr>\n<td>Read a person</td>\n<td><strong>GET</strong> /readPerson?personid=1234</td>\n<td><strong>GET</strong> /persons/1234</td>\n</tr>\n'
        + '<tr>\n<td>Update an item</td>\n<td><strong>POST</strong> /updateItem?itemid=456&amp;key=value</td>\n<td><strong>PUT</strong> /items/456<br>{"key": "value"}</td>\n</tr>\n'
        + '</tbody>\n</table>\n'
        + '<p><a href="https://apihandyman.io/do-you-really-know-why-you-prefer-rest-over-rpc/" rel="nofollow">Source: Do you really know why you prefer REST over RPC</a></p>',
    ], ["system-design", "api"]),

    ("rhGH-shrd-09", "Basic", [
        "What is sharding?",
        heading(4, "sharding", "Sharding")
        + '<p>Sharding distributes data across different databases such that each database can only manage a subset of the data. Taking a users database as an example, as the number of users increases, more shards are added to the cluster.</p>\n'
        + '<p>Common ways to shard a table of users is either through the user\'s last name initial or the user\'s geographic location.</p>\n'
        + heading(5, "disadvantages-sharding", "Disadvantage(s): sharding")
        + '<ul>\n<li>You\'ll need to update your application logic to work with shards, which could result in complex SQL queries.</li>\n'
        + '<li>Data distribution can become lopsided in a shard. For example, a set of power users on a shard could result in increased load to that shard compared to others.\n'
        + '<ul>\n<li>Rebalancing adds additional complexity. A sharding function based on <a href="http://www.paperplanes.de/2011/12/9/the-magic-of-consistent-hashing.html" rel="nofollow">consistent hashing</a> can reduce the amount of transferred data.</li>\n</ul>\n</li>\n</ul>',
    ], ["system-design", "databases"]),

    ("rhGH-q-10", "Basic", [
        "Queue workers: sample <code>enqueue</code> call",
        '<p>Message queues receive, hold, and deliver messages. If an operation is too slow to perform inline, you can use a message queue with the following workflow:</p>\n'
        + '<ol>\n<li>An application publishes a job to the queue, then notifies the user of job status</li>\n'
        + '<li>A worker picks up the job from the queue, processes it, then signals the job is complete</li>\n</ol>\n'
        + '<div class="highlight highlight-source-python"><pre><span class="pl-s1">queue</span>.<span class="pl-en">enqueue</span>(<span class="pl-s1">resize_image</span>, <span class="pl-s1">image_id</span>, <span class="pl-s1">width</span><span class="pl-c1">=</span><span class="pl-c1">256</span>)  <span class="pl-c"># x &lt; 512 &amp;&amp; y &gt; 0</span></pre></div>\n'
        + '<p><a href="https://redis.io/" rel="nofollow">Redis</a> is useful as a simple message broker but messages can be lost. <a href="https://www.rabbitmq.com/" rel="nofollow">RabbitMQ</a> is popular but requires you to adapt to the \'AMQP\' protocol.</p>',
    ], ["system-design", "async"]),
]


# --------------------------------------------------------------------------
# editor.apkg: HTML as Anki's own editor writes it
# --------------------------------------------------------------------------

EDITOR = [
    ("rhED-div-01", "Basic", [
        "Capital of <b>Australia</b>?",
        "<div>Canberra</div><div><br></div><div><i>Not</i> Sydney&nbsp;and not Melbourne.</div>",
    ], ["geography"]),

    ("rhED-fmt-02", "Basic", [
        "Mitochondria",
        "The <b>powerhouse</b> of the cell.<br><br>"
        '<span style="color: rgb(255, 0, 0);">Produces ATP</span> via <u>oxidative phosphorylation</u>.<br>'
        '<font color="#0000ff">Has its own DNA</font>&nbsp;(mtDNA)',
    ], ["biology"]),

    ("rhED-link-03", "Basic", [
        "Where is the Rust book?",
        '<div>Read it online: <a href="https://doc.rust-lang.org/book/">The Rust Programming Language</a></div>'
        '<div>Also see <a href="https://doc.rust-lang.org/std/">the <b>std</b> docs</a>.</div>',
    ], ["rust"]),

    ("rhED-img-04", "Basic", [
        "Label the diagram",
        '<div><img src="diagram.png"></div><div>Blue = <b>upper</b> triangle, white = lower.</div>',
    ], ["media"]),

    ("rhED-clz-05", "Cloze", [
        "The {{c1::<b>Treaty of Westphalia</b>}} was signed in {{c2::1648::year}}.<br>"
        "It ended the {{c1::Thirty&nbsp;Years' War}}.",
        '<i>Back extra:</i> see <a href="https://en.wikipedia.org/wiki/Peace_of_Westphalia">Peace of Westphalia</a>',
    ], ["history"]),

    ("rhED-rev-06", "Basic (and reversed card)", [
        "<div>der Hund</div>",
        "<div>the dog</div>",
    ], ["german", "vocab::nouns"]),

    ("rhED-mix-07", "Basic", [
        "Speed of light?",
        '<div><span style="font-weight: 700;">299&nbsp;792&nbsp;458</span> m/s</div>'
        '<div><span style="color: rgb(0, 128, 0); background-color: rgb(255, 255, 0);">exact by definition</span> since 1983</div>'
        "<div>c &lt; ∞ &amp; c &gt; 0</div>",
    ], ["physics"]),

    ("rhED-clz-08", "Cloze", [
        "<div>{{c1::H<sub>2</sub>O::formula}} is water;</div><div>{{c2::NaCl}} is <i>table salt</i>.</div>",
        "",
    ], ["chemistry"]),
]


# --------------------------------------------------------------------------
# code.apkg: highlighted code and Markdown-looking literal text
# --------------------------------------------------------------------------

CODE = [
    ("rhCD-pyg-01", "Basic", [
        "Rust: sum a slice (Pygments table with line numbers)",
        '<table class="highlighttable"><tr><td class="linenos"><div class="linenodiv"><pre><span class="normal">1</span>\n'
        '<span class="normal">2</span>\n<span class="normal">3</span></pre></div></td>'
        '<td class="code"><div class="highlight"><pre><span></span>'
        '<span class="k">fn</span> <span class="nf">sum</span><span class="p">(</span><span class="n">xs</span><span class="p">:</span> <span class="kp">&amp;</span><span class="p">[</span><span class="kt">i32</span><span class="p">])</span> <span class="p">-&gt;</span> <span class="kt">i32</span> <span class="p">{</span>\n'
        '    <span class="n">xs</span><span class="p">.</span><span class="n">iter</span><span class="p">().</span><span class="n">sum</span><span class="p">()</span>\n'
        '<span class="p">}</span>\n</pre></div></td></tr></table>',
    ], ["rust", "code"]),

    ("rhCD-pyg-02", "Basic", [
        "Python: list comprehension (Pygments div)",
        '<div class="highlight"><pre><span></span><span class="n">squares</span> <span class="o">=</span> '
        '<span class="p">[</span><span class="n">x</span> <span class="o">*</span> <span class="n">x</span> '
        '<span class="k">for</span> <span class="n">x</span> <span class="ow">in</span> <span class="nb">range</span>'
        '<span class="p">(</span><span class="mi">10</span><span class="p">)</span> <span class="k">if</span> '
        '<span class="n">x</span> <span class="o">%</span> <span class="mi">2</span> <span class="o">==</span> '
        '<span class="mi">0</span><span class="p">]</span>\n'
        '<span class="c1"># keeps 0, 4, 16, 36, 64</span>\n</pre></div>',
    ], ["python", "code"]),

    ("rhCD-fence-03", "Basic", [
        "How do you declare a generic function with a trait bound?",
        '<p>Use <code>fn name&lt;T: Trait&gt;(x: T)</code>:</p>\n'
        '<pre><code class="language-rust">use std::fmt::Display;\n\n'
        'fn show&lt;T: Display&gt;(x: T) -&gt; String {\n'
        '    format!("&lt;{}&gt;", x)\n'
        '}\n</code></pre>\n'
        '<p>Bounds can also go in a <code>where</code> clause.</p>',
    ], ["rust", "generics"]),

    ("rhCD-inline-04", "Basic", [
        "Borrowing: <code>&amp;T</code> vs <code>&amp;mut T</code>",
        "<div>Any number of <code>&amp;T</code> <b>or</b> exactly one <code>&amp;mut T</code>.</div>"
        "<div>Compare <code>a &lt; b &amp;&amp; b &gt; c</code> and <code>Vec&lt;Box&lt;dyn Fn()&gt;&gt;</code>.</div>",
    ], ["rust", "ownership"]),

    ("rhCD-literal-05", "Basic", [
        "Markdown-looking text that must stay literal",
        "<div>2 * 3 * 4 = 24</div>"
        "<div>a_b_c and snake_case_name</div>"
        "<div># not a heading</div>"
        "<div>- not a list item</div>"
        "<div>1. not an ordered list</div>"
        "<div>[not](a link) and `not code` and &lt;b&gt;not bold&lt;/b&gt;</div>"
        "<div>C:\\path\\to\\file and 50% off | pipe | table?</div>",
    ], ["markdown", "escaping"]),
]


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    for filename, deck, notes, media in (
        ("github.apkg", "Rehearse Fixtures::GitHub", GITHUB, None),
        ("editor.apkg", "Rehearse Fixtures::Editor", EDITOR, {"diagram.png": tiny_png()}),
        ("code.apkg", "Rehearse Fixtures::Code", CODE, None),
    ):
        path = os.path.join(outdir, filename)
        if os.path.exists(path):
            os.remove(path)
        count = build(path, deck, notes, media)
        os.chmod(path, 0o644)  # Anki writes the package with mode 0600
        print(f"{path}: {len(notes)} notes (exporter reported {count})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
