#ifndef PUS_VERSION_H
#define PUS_VERSION_H
#define PUS_VERSION "0.1.0"
#endif
