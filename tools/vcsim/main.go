// GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

// Command vcsim runs govmomi's vCenter simulator (package simulator, with the vAPI REST
// endpoints of vapi/simulator) as a stand-alone server, for the collection's vcsim suite.
//
// Debian's golang-github-vmware-govmomi-dev ships the simulator packages but not govmomi's
// own vcsim command, so tools/vcsim.sh builds this one instead. Its flags have the names and
// meanings of upstream vcsim's (-l, -tls, -tlscert, -tlskey, -username, -password, -dc, -ds,
// -E); everything the tests exercise is the library code, unchanged.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"

	// The vAPI REST endpoints (/rest/com/vmware/cis/session, /rest/com/vmware/content/...).
	_ "github.com/vmware/govmomi/vapi/simulator"
)

func main() {
	model := simulator.VPX()

	flag.IntVar(&model.Datacenter, "dc", model.Datacenter, "Number of datacenters")
	flag.IntVar(&model.Datastore, "ds", model.Datastore, "Number of local datastores")
	listen := flag.String("l", "127.0.0.1:8989", "Listen address (port 0: any free port)")
	useTLS := flag.Bool("tls", true, "Serve HTTPS")
	certFile := flag.String("tlscert", "", "Path to a PEM certificate (chain) for HTTPS (default: Go's built-in test certificate)")
	keyFile := flag.String("tlskey", "", "Path to the PEM private key of -tlscert")
	user := flag.String("username", "", "Login user name (any non-empty one is accepted by default)")
	pass := flag.String("password", "", "Login password (any non-empty one is accepted by default)")
	env := flag.String("E", "-", "Write the export line to this file instead of stdout")
	flag.Parse()

	listenURL := &url.URL{Host: *listen}
	if *user != "" {
		listenURL.User = url.UserPassword(*user, *pass)
	}

	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	defer model.Remove()

	model.Service.RegisterEndpoints = true
	model.Service.Listen = listenURL
	if *useTLS {
		model.Service.TLS = new(tls.Config)
		if *certFile != "" {
			pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
			if err != nil {
				log.Fatal(err)
			}
			model.Service.TLS.Certificates = []tls.Certificate{pair}
		}
	}

	server := model.Service.NewServer()
	defer server.Close()

	out := os.Stdout
	if *env != "-" {
		f, err := os.OpenFile(*env, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0600)
		if err != nil {
			log.Fatal(err)
		}
		out = f
	}
	// The line upstream vcsim prints: the URL carries the login, the PID is for stopping it.
	fmt.Fprintf(out, "export GOVC_URL=%s GOVC_SIM_PID=%d\n", server.URL, os.Getpid())
	if out != os.Stdout {
		_ = out.Close()
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
